/**
 * The request policy of a real engine on loopback: Host allow-list (DNS rebinding), Origin
 * checks (no cross-site writes), fetch metadata, the desktop launch token, proxied
 * requests, the static UI staying open, and input limits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { rawJson, rawRequest } from '../unit/security/helpers/raw-http.ts';

const JOB = { target_server_alias: 'auto', generation_params: { positive_prompt: 'policy', steps: 4, width: 64, height: 64 } };

describe('request policy (no launch token, no password: the headless loopback case)', () => {
  let sq: TestEngine;
  let ui: { dir: string; cleanup: () => void };
  let port: string;

  beforeAll(async () => {
    ui = makeTempDir('sq-ui-');
    fs.writeFileSync(path.join(ui.dir, 'index.html'), '<!doctype html><div id="app"></div>');
    fs.mkdirSync(path.join(ui.dir, 'assets'));
    fs.writeFileSync(path.join(ui.dir, 'assets', 'app.js'), 'console.log(1)');
    sq = await startTestEngine({ uiDir: ui.dir });
    port = new URL(sq.url).port;
    await api(sq.url, 'POST', '/api/v1/queue/pause');
  });
  afterAll(async () => {
    await sq.stop();
    ui.cleanup();
  });

  it('Host: evil.example → 403 host_not_allowed, on the API and the UI alike', async () => {
    for (const p of ['/api/v1/queue/jobs', '/api/v1/health', '/', '/assets/app.js']) {
      const res = await rawRequest(sq.url, 'GET', p, { headers: { host: 'evil.example' } });
      expect(res.status, p).toBe(403);
      expect(res.body.error).toBe('host_not_allowed');
    }
    for (const host of [`evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      expect((await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { host } })).status, host).toBe(403);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { host } })).status, host).toBe(200);
    }
  });

  it('a POST with Origin: https://evil.example → 403, and nothing happens', async () => {
    const before = sq.engine.queueCounts().pending;
    const res = await rawJson(sq.url, 'POST', '/api/v1/generate', JOB, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'origin_not_allowed' });
    expect(typeof res.body.message).toBe('string');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    // The classic CSRF form: text/plain body, no preflight.
    const form = await rawRequest(sq.url, 'POST', '/api/v1/queue/resume', { headers: { origin: 'http://192.168.1.66:8080', 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(403);
    for (const method of ['PUT', 'DELETE']) {
      expect((await rawJson(sq.url, method, '/api/v1/settings', method === 'PUT' ? { theme: 'dark' } : undefined, { origin: 'https://evil.example' })).status).toBe(403);
    }
    expect(sq.engine.queueCounts().pending).toBe(before);
    expect(sq.engine.isPaused()).toBe(true);
  });

  it('Origin: null → 403 for state changes; the app\'s own origin is fine', async () => {
    expect((await rawJson(sq.url, 'POST', '/api/v1/generate', JOB, { origin: 'null' })).status).toBe(403);
    const own = await rawJson(sq.url, 'POST', '/api/v1/generate', JOB, { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(202);
    // Same host, other port: another origin.
    expect((await rawJson(sq.url, 'POST', '/api/v1/generate', JOB, { origin: `http://127.0.0.1:${Number(port) + 1}` })).status).toBe(403);
  });

  it('keyless reads from other sites are refused too (Origin or Sec-Fetch-Site), while same-origin reads work', async () => {
    const foreign = await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    for (const site of ['cross-site', 'same-site']) {
      const res = await rawRequest(sq.url, 'GET', '/api/v1/images/1/download', { headers: { 'sec-fetch-site': site } });
      expect(res.status, site).toBe(403);
      expect(res.body.error).toBe('cross_site_request');
    }
    expect((await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect((await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
  });

  it('a request relayed by a proxy is treated as public: 403 asking for STABLEQUEUE_PASSWORD', async () => {
    const res = await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('password_required');
    expect(res.body.message).toMatch(/STABLEQUEUE_PASSWORD/);
    // Percent-encoding the path does not turn an API route into a static file.
    for (const p of ['/%61pi/v1/queue/jobs', '/%61%70%69/v1/settings']) {
      const enc = await rawRequest(sq.url, 'GET', p, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(enc.status, p).not.toBe(200);
      expect(enc.text).not.toMatch(/"jobs"|"queue_paused"/);
    }
    // The static UI and health stay reachable (the login page must load).
    expect((await rawRequest(sq.url, 'GET', '/', { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200);
    expect((await rawRequest(sq.url, 'GET', '/assets/app.js', { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200);
    expect((await rawRequest(sq.url, 'GET', '/api/v1/health', { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200);
    const session = await rawRequest(sq.url, 'GET', '/api/v1/auth/session', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(session.body).toMatchObject({ authenticated: false, password_required: false });
  });

  it('answers carry anti-framing and resource-policy headers, and never a wildcard CORS grant', async () => {
    for (const p of ['/', '/api/v1/queue/jobs', '/api/v1/health']) {
      const res = await rawRequest(sq.url, 'GET', p);
      expect(res.headers['x-frame-options'], p).toBe('DENY');
      expect(String(res.headers['content-security-policy']), p).toContain("frame-ancestors 'none'");
      expect(res.headers['access-control-allow-origin'], p).toBeUndefined();
    }
    expect((await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs')).headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('input limits: long prompts, huge and deep bodies, oversized workflows', async () => {
    const long = await api(sq.url, 'POST', '/api/v1/generate', { generation_params: { positive_prompt: 'x'.repeat(1024 * 1024 + 1) } });
    expect([400, 413]).toContain(long.status);
    const huge = await api(sq.url, 'POST', '/api/v1/generate', { generation_params: { positive_prompt: 'x', blob: 'y'.repeat(9 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    const deep = await api(sq.url, 'POST', '/api/v1/generate', `{"generation_params":{"positive_prompt":"x","extra":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error).toBe('body_too_deep');
    const nodes = Object.fromEntries(Array.from({ length: 2_001 }, (_, i) => [String(i), { class_type: 'Note', inputs: {} }]));
    const wide = await api(sq.url, 'POST', '/api/v1/generate', { app_type: 'comfyui', generation_params: { workflow: nodes } });
    expect(wide.status).toBe(413);
    expect(wide.body.error).toBe('workflow_too_large');
    const big = await api(sq.url, 'POST', '/api/v1/generate', { app_type: 'comfyui', generation_params: { workflow: { 1: { class_type: 'Note', inputs: { text: 'z'.repeat(4 * 1024 * 1024) } } } } });
    expect(big.status).toBe(413);
    for (const [field, value] of [['width', 100_000], ['steps', 100_000], ['batch_size', 1000], ['height', 1]] as const) {
      expect((await api(sq.url, 'POST', '/api/v1/generate', { generation_params: { positive_prompt: 'x', [field]: value } })).status, field).toBe(400);
    }
    const okWorkflow = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [String(i), { class_type: 'Note', inputs: { a: [String(i), 0] } }]));
    expect((await api(sq.url, 'POST', '/api/v1/generate', { app_type: 'comfyui', generation_params: { workflow: okWorkflow } })).status).toBe(202);
  });

  it('Civitai token: write-only, masked as civitai_token_set', async () => {
    expect((await api(sq.url, 'GET', '/api/v1/settings')).body.civitai_token_set).toBe(false);
    const put = await api(sq.url, 'PUT', '/api/v1/settings/civitai-token', { token: '  abcdef0123456789  ' });
    expect(put.body).toEqual({ civitai_token_set: true });
    expect(await sq.engine.secrets.get('civitai-token')).toBe('abcdef0123456789');
    const settings = await api(sq.url, 'GET', '/api/v1/settings');
    expect(settings.body.civitai_token_set).toBe(true);
    expect(JSON.stringify(settings.body)).not.toContain('abcdef0123456789');
    expect((await api(sq.url, 'PUT', '/api/v1/settings/civitai-token', { token: 'has space' })).status).toBe(400);
    expect((await api(sq.url, 'DELETE', '/api/v1/settings/civitai-token')).body).toEqual({ civitai_token_set: false });
    expect(await sq.engine.secrets.get('civitai-token')).toBeNull();
  });
});

describe('desktop: a launch token is configured', () => {
  let sq: TestEngine;
  const token = 'launch-token-0123456789abcdefghijklmnopqrstuv';
  beforeAll(async () => { sq = await startTestEngine({ launchToken: token }); });
  afterAll(async () => sq.stop());

  it('the API needs the token (header, or ?launch_token= on GET); loopback alone is not enough', async () => {
    const none = await api(sq.url, 'GET', '/api/v1/queue/jobs');
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('launch_token_required');
    expect((await api(sq.url, 'GET', '/api/v1/queue/jobs', undefined, { 'X-StableQueue-Launch-Token': token })).status).toBe(200);
    expect((await api(sq.url, 'GET', `/api/v1/queue/jobs?launch_token=${token}`)).status).toBe(200);
    const wrong = await api(sq.url, 'GET', '/api/v1/queue/jobs', undefined, { 'X-StableQueue-Launch-Token': `${token}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_launch_token');
    // The query form is for GETs only (img src, EventSource); writes send the header.
    expect((await api(sq.url, 'POST', `/api/v1/queue/pause?launch_token=${token}`)).status).toBe(401);
    expect((await api(sq.url, 'POST', '/api/v1/queue/pause', undefined, { 'X-StableQueue-Launch-Token': token })).status).toBe(200);
    // The event stream with the token in the URL.
    const sse = await rawRequest(sq.url, 'GET', `/api/v1/events?launch_token=${token}`, { headersOnly: true });
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toMatch(/text\/event-stream/);
    expect((await rawRequest(sq.url, 'GET', '/api/v1/events', { headersOnly: true })).status).toBe(401);
    // Health stays public; a key still works.
    expect((await api(sq.url, 'GET', '/api/v1/health')).status).toBe(200);
    const key = await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'ext' }, { 'X-StableQueue-Launch-Token': token });
    expect(key.status).toBe(201);
    expect((await api(sq.url, 'GET', '/api/v1/queue/jobs', undefined, { 'x-api-key': key.body.key, 'x-api-secret': key.body.secret })).status).toBe(200);
  });
});
