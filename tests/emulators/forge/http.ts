/**
 * Bytes in and out: request bodies, FastAPI's JSON body rules, and serialised replies
 * with uvicorn-like headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestValidationError } from './errors.ts';
import { pyJson } from './py-json.ts';

/** What a handler answers: a JSON value (PyFloat allowed) or raw bytes. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface WireReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('client aborted')));
  });
}

export function serialize(reply: Reply): WireReply {
  const body = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(pyJson(reply.body, 'fastapi'), 'utf8');
  return { status: reply.status, headers: { 'content-type': 'application/json', ...reply.headers }, body };
}

export function send(res: ServerResponse, wire: WireReply): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(wire.status, { server: 'uvicorn', 'content-length': String(wire.body.length), ...wire.headers });
  res.end(wire.body);
}

const NO_BODY = Symbol('no body');

/**
 * FastAPI's request-body decoding: JSON when there is no content-type or a JSON one;
 * otherwise the raw bytes reach validation (and fail it). Invalid JSON is a 422 raised
 * before any dependency (auth) runs.
 */
export function decodeBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return NO_BODY;
  const isJson = !contentType || /^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType);
  const text = raw.toString('utf8');
  if (!isJson) return text;
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = String(err);
    const pos = /Unexpected end/.test(message) ? text.length : Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    throw new RequestValidationError([], { pos, msg: 'Expecting value', doc: text });
  }
}

/** A required body that was absent → 422 "Field required" at loc ["body"]. */
export function requireBody(decoded: unknown): unknown {
  if (decoded === NO_BODY) throw new RequestValidationError([{ loc: ['body'], kind: 'missing', input: null }]);
  return decoded;
}
