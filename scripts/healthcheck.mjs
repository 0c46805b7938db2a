#!/usr/bin/env node
// Docker HEALTHCHECK for StableQueue: GET /api/v1/health on the local server.
// Exit 0 when it answers 200 with {"ok": true} within the timeout, else 1.
// Plain Node (no curl in the slim image). Reads the container's PORT and HOST;
// HEALTHCHECK_TIMEOUT_MS (default 4000) bounds the whole check.
import http from 'node:http';

const port = Number(process.env.PORT || 3000);
const bind = (process.env.HOST || '127.0.0.1').trim();
// A wildcard bind is reached on loopback; a specific address only on itself.
const host = ['', '0.0.0.0', '::', '[::]'].includes(bind) ? '127.0.0.1' : bind.replace(/^\[(.*)\]$/, '$1');
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 4000);

function fail(reason) {
  console.error(`unhealthy: ${reason}`);
  process.exit(1);
}

if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`PORT is not a port number: ${process.env.PORT}`);

const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);

const request = http.get(
  { host, port, path: '/api/v1/health', headers: { accept: 'application/json' }, timeout: timeoutMs },
  (response) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      body += chunk;
      if (body.length > 65536) request.destroy(new Error('answer too large'));
    });
    response.on('end', () => {
      clearTimeout(timer);
      if (response.statusCode !== 200) fail(`HTTP ${response.statusCode}`);
      let payload;
      try {
        payload = JSON.parse(body);
      } catch {
        fail('the answer is not JSON');
      }
      if (payload?.ok !== true) fail(`ok is not true: ${body.slice(0, 200)}`);
      console.log(`healthy: StableQueue ${payload.version ?? ''} on ${host}:${port}`.replace('  ', ' '));
      process.exit(0);
    });
  },
);
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', (error) => {
  clearTimeout(timer);
  fail(error.message);
});
