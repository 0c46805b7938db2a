// Response helpers that reproduce aiohttp's defaults: json_response bodies
// from json.dumps, bare `web.Response(status=...)` as an empty octet-stream,
// and aiohttp's own 404/405/500 texts.
import { pyDumps, pyParse } from './py-json.ts';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The request as handlers see it. */
export interface RouteRequest {
  method: string;
  /** Path without the /api prefix. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Thrown by handlers where the real one would raise: aiohttp answers 500. */
export class RequestCrash extends Error {}

export const SERVER_HEADER = 'Python/3.12 aiohttp/3.12.15';

export function jsonReply(data: unknown, status = 200): Reply {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from(pyDumps(data), 'utf8') };
}

export function emptyReply(status = 200): Reply {
  return { status, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.alloc(0) };
}

export function textReply(text: string, status: number, extra: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...extra }, body: Buffer.from(text, 'utf8') };
}

export const notFound = (): Reply => textReply('404: Not Found', 404);
export const methodNotAllowed = (allow: string[]): Reply => textReply('405: Method Not Allowed', 405, { Allow: allow.join(',') });
export const serverError = (): Reply => textReply('500 Internal Server Error\n\nServer got itself in trouble', 500, { Connection: 'close' });

/** `await request.json()`: json.loads of the body, raising on anything invalid (empty included). */
export function readJson(req: RouteRequest): unknown {
  try {
    return pyParse(req.body.toString('utf8'));
  } catch {
    throw new RequestCrash('JSONDecodeError');
  }
}

/** `await request.json()` where the handler indexes the result like a dict. */
export function readJsonObject(req: RouteRequest): Record<string, unknown> {
  const data = readJson(req);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new RequestCrash('not a dict');
  return data as Record<string, unknown>;
}
