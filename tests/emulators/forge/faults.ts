/**
 * Injected failures, so tests can show the engine surviving what real SD servers do. A fault is matched when a request
 * arrives, in the order faults were set, and spends one of its `count` per matching request.
 *
 * | kind           | what the client sees                                                     |
 * |----------------|--------------------------------------------------------------------------|
 * | 500            | the flavor's uncaught-exception body (CUDA OOM by default)               |
 * | 503 / 429      | `{"detail": ...}` with `Retry-After`                                      |
 * | hang           | headers never come; the socket stays open until close()/setOnline(false) |
 * | reset          | headers and part of the body, then the socket is destroyed               |
 * | malformed_json | 200 with the JSON body cut in half (Content-Length matches the cut)      |
 * | wrong_shape    | 200 `{"foo":1}`                                                           |
 * | bad_base64     | 200, normal shape, but every image string is not valid base64            |
 * | huge_body      | 200 streaming `bytes` of JSON (default 64 MiB)                            |
 * | redirect       | 307 to `location` (default the cloud metadata address)                   |
 */
import type { ServerResponse } from 'node:http';
import { errorReply, PythonException } from './errors.ts';
import { serialize, send, type WireReply } from './http.ts';
import type { FaultKind, FaultSpec, Flavor } from './types.ts';

const GENERATION_PATHS = ['/sdapi/v1/txt2img', '/sdapi/v1/img2img'];
const AFTER_BY_DEFAULT: FaultKind[] = ['reset', 'malformed_json', 'bad_base64'];

export interface ActiveFault extends FaultSpec {
  stage: 'before' | 'after';
}

export class FaultQueue {
  #faults: (FaultSpec & { remaining: number })[] = [];

  add(spec: FaultSpec): void {
    this.#faults.push({ ...spec, remaining: spec.count ?? 1 });
  }

  clear(): void {
    this.#faults = [];
  }

  /** The fault for this request, if any; spends one use of it. */
  take(method: string, path: string): ActiveFault | undefined {
    const fault = this.#faults.find((f) =>
      f.remaining > 0 && (f.path !== undefined ? f.path === path : method === 'POST' && GENERATION_PATHS.includes(path)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    const { remaining: _remaining, ...spec } = fault;
    return { ...spec, stage: spec.stage ?? (AFTER_BY_DEFAULT.includes(spec.kind) ? 'after' : 'before') };
  }
}

/** A plausible generation body for faults that strike before any real response exists. */
function syntheticBody(): Buffer {
  const fakeImage = `iVBORw0KGgoAAAANSUhEUgAAAgAAAAIACAIAAAB7GkOt${'A'.repeat(4000)}`;
  return Buffer.from(`{"images":["${fakeImage}"],"parameters":{},"info":"{}"}`);
}

/**
 * Writes the faulty answer. `real` is the normal reply for 'after' faults, or null when the
 * fault strikes before the request was handled.
 */
export function writeFault(res: ServerResponse, fault: ActiveFault, flavor: Flavor, real: WireReply | null): void {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    send(res, serialize({ status, body, headers }));
  const retryAfter = { 'retry-after': String(fault.retryAfter ?? 1) };
  switch (fault.kind) {
    case '500': {
      const message = fault.message ?? 'CUDA out of memory. Tried to allocate 2.00 GiB (emulated fault)';
      const reply = errorReply(flavor, new PythonException(fault.error ?? 'OutOfMemoryError', message));
      return json(reply.status, reply.body, reply.headers);
    }
    case '503':
      return json(503, { detail: 'Service Unavailable' }, retryAfter);
    case '429':
      return json(429, { detail: 'Too Many Requests' }, retryAfter);
    case 'hang':
      return; // never answer; close() or setOnline(false) destroys the socket
    case 'wrong_shape':
      return json(200, { foo: 1 });
    case 'redirect':
      return json(307, { detail: 'Temporary Redirect' }, { location: fault.location ?? 'http://169.254.169.254/latest/meta-data/' });
    case 'malformed_json': {
      const body = real?.body ?? syntheticBody();
      return send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: body.subarray(0, Math.floor(body.length / 2)) });
    }
    case 'bad_base64':
      return send(res, spoilImages(real));
    case 'reset': {
      const body = real?.body ?? syntheticBody();
      res.writeHead(real?.status ?? 200, { server: 'uvicorn', 'content-type': 'application/json', 'content-length': String(body.length) });
      res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => res.destroy());
      return;
    }
    case 'huge_body':
      return streamHugeBody(res, fault.bytes ?? 64 * 1024 * 1024);
  }
}

function spoilImages(real: WireReply | null): WireReply {
  const headers = { 'content-type': 'application/json' };
  try {
    const parsed = JSON.parse((real?.body ?? Buffer.from('{}')).toString('utf8')) as Record<string, unknown>;
    if (Array.isArray(parsed.images) && parsed.images.length > 0) {
      parsed.images = parsed.images.map((img: string) => `!!not*base64!!${String(img).slice(16, 64)}%%`);
      return { status: real?.status ?? 200, headers, body: Buffer.from(JSON.stringify(parsed)) };
    }
  } catch {
    // fall through to a synthetic body
  }
  return { status: 200, headers, body: Buffer.from('{"images":["!!not*base64!!%%"],"parameters":{},"info":"{}"}') };
}

/** Streams a syntactically valid but enormous JSON body, honouring backpressure. */
function streamHugeBody(res: ServerResponse, bytes: number): void {
  const head = Buffer.from('{"images":["');
  const tail = Buffer.from('"],"parameters":{},"info":"{}"}');
  let left = Math.max(0, bytes - head.length - tail.length);
  const block = Buffer.alloc(64 * 1024, 'A');
  res.writeHead(200, { server: 'uvicorn', 'content-type': 'application/json', 'content-length': String(head.length + left + tail.length) });
  res.write(head);
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      const chunk = block.subarray(0, Math.min(block.length, left));
      left -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end(tail);
  };
  pump();
}
