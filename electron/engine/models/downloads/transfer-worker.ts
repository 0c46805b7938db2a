/**
 * Worker thread: one HTTP GET of a model file into its `.part`. Running it off the main
 * thread keeps the API's event loop free and its garbage collector out of the transfer
 * (a GiB of socket buffers makes a big heap collect dozens of times).
 *
 * In:  { type: 'start', request: AttemptRequest } | { type: 'abort' }
 * Out: { type: 'progress', bytes, written } | { type: 'restart' } | { type: 'total', total }
 *      | { type: 'result', outcome: AttemptOutcome }
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { finished } from 'node:stream/promises';
import { parentPort } from 'node:worker_threads';
import { GUARD_PREFIX_BYTES, inspectBody, inspectContentType } from './body-guard.ts';
import type { AttemptOutcome, AttemptRequest } from './transfer-protocol.ts';

const port = parentPort!;
const PROGRESS_MS = 100;
let controller: AbortController | null = null;

function post(message: Record<string, unknown>): void {
  port.postMessage(message);
}

function parseContentRange(value: string | undefined): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(value?.trim() ?? '');
  return m ? { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) } : null;
}

function get(request: AttemptRequest, signal: AbortSignal): Promise<http.IncomingMessage> {
  const target = new URL(request.url);
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(target, { method: 'GET', headers: request.headers, signal });
    const headersTimer = setTimeout(() => req.destroy(new Error(`no answer from ${target.host} within ${Math.round(request.headersTimeoutMs / 1000)} s`)), request.headersTimeoutMs);
    req.setTimeout(request.idleTimeoutMs, () => req.destroy(new Error(`${target.host} sent nothing for ${Math.round(request.idleTimeoutMs / 1000)} s`)));
    req.on('response', (res) => { clearTimeout(headersTimer); resolve(res); });
    req.on('error', (error) => { clearTimeout(headersTimer); reject(error); });
    req.end();
  });
}

async function drain(res: http.IncomingMessage): Promise<string> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) if (text.length < 2000) text += chunk;
  return text.slice(0, 2000).replace(/\s+/g, ' ').trim();
}

/** The first `n` bytes (or the whole body if shorter); the stream is left paused. */
function readPrefix(res: http.IncomingMessage, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (error?: Error) => {
      res.off('data', onData); res.off('end', onEnd); res.off('error', onError);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= n) { res.pause(); finish(); }
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(error);
    res.on('data', onData); res.on('end', onEnd); res.on('error', onError);
  });
}

/**
 * Copies the rest of the body into the `.part`. A body that breaks off (or a pause) still
 * has everything that arrived written before the file closes: a pipeline would destroy the
 * file stream and drop what it had buffered, and the next try would fetch it again.
 * Resolves with why the body ended early, or null.
 */
async function saveBody(res: http.IncomingMessage, out: fs.WriteStream, signal: AbortSignal): Promise<Error | null> {
  let diskError: Error | null = null;
  const diskFailed = new Promise<void>((resolve) => out.on('error', (error) => { diskError ??= error; resolve(); }));
  const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
  res.pipe(out, { end: false });
  let bodyError: Error | null = null;
  try {
    await Promise.race([finished(res, { signal }), diskFailed]);
  } catch (error) {
    bodyError = error as Error;
  }
  res.unpipe(out);
  if (bodyError || diskError) res.destroy();
  if (!out.destroyed) out.end();
  await closed;
  return diskError ?? bodyError;
}

async function attempt(request: AttemptRequest, signal: AbortSignal): Promise<AttemptOutcome> {
  let offset = request.offset;
  let res: http.IncomingMessage;
  try {
    res = await get(request, signal);
  } catch (error) {
    if (signal.aborted) return { kind: 'aborted', size: offset };
    return { kind: 'broken', message: (error as Error).message, size: offset };
  }
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && res.headers.location) {
    res.resume();
    return { kind: 'redirect', location: new URL(res.headers.location, request.url).toString() };
  }
  if (status === 416) {
    res.resume();
    return { kind: 'range_not_satisfiable' };
  }
  let expected = request.expected;
  if (status === 206) {
    const range = parseContentRange(res.headers['content-range']);
    if (!range || range.start !== offset) {
      res.resume();
      return { kind: 'range_mismatch', contentRange: res.headers['content-range'] ?? null };
    }
    if (range.total !== null) expected ??= range.total;
  } else if (status === 200) {
    const length = Number(res.headers['content-length']);
    if (offset > 0) {
      // The server ignored Range: start over from zero.
      offset = 0;
      post({ type: 'restart' });
    }
    if (Number.isFinite(length) && length > 0) expected ??= length;
  } else {
    const body = await drain(res).catch(() => '');
    return { kind: 'status', status, body };
  }
  const typeVerdict = inspectContentType(res.headers['content-type']);
  if (!typeVerdict.ok) {
    res.destroy();
    return { kind: 'refused', reason: typeVerdict.reason };
  }
  if (expected !== null) post({ type: 'total', total: expected });

  let prefix: Buffer;
  try {
    prefix = await readPrefix(res, GUARD_PREFIX_BYTES);
  } catch (error) {
    return signal.aborted ? { kind: 'aborted', size: offset } : { kind: 'broken', message: (error as Error).message, size: offset };
  }
  const verdict = inspectBody(prefix, { offset, expectSafetensors: request.expectSafetensors, totalSize: expected });
  if (!verdict.ok) {
    res.destroy();
    return { kind: 'refused', reason: verdict.reason };
  }

  const out = fs.createWriteStream(request.part, { flags: offset > 0 ? 'a' : 'w', highWaterMark: 4 * 1024 * 1024 });
  let received = prefix.length;
  const report = () => post({ type: 'progress', bytes: offset + received, written: offset + out.bytesWritten });
  const timer = setInterval(report, PROGRESS_MS);
  const count = (chunk: Buffer) => { received += chunk.length; };
  res.on('data', count);
  out.write(prefix);
  let failure: Error | null;
  try {
    failure = await saveBody(res, out, signal);
  } finally {
    clearInterval(timer);
    res.off('data', count);
  }
  if (failure) {
    const size = offset + out.bytesWritten;
    return signal.aborted ? { kind: 'aborted', size } : { kind: 'broken', message: failure.message, size };
  }
  report();
  const size = offset + received;
  if (expected !== null && size < expected) return { kind: 'broken', message: `the transfer ended at ${size} of ${expected} bytes`, size };
  return { kind: 'done', size, total: expected };
}

port.on('message', (message: { type: 'start'; request: AttemptRequest } | { type: 'abort' }) => {
  if (message.type === 'abort') {
    controller?.abort();
    return;
  }
  controller = new AbortController();
  attempt(message.request, controller.signal)
    .catch((error: Error): AttemptOutcome => ({ kind: 'broken', message: error.message, size: message.request.offset }))
    .then((outcome) => post({ type: 'result', outcome }));
});
