import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestOrigin } from './origin-policy.ts';

const ALLOWED_METHODS = 'GET, POST, PUT, DELETE';
const ALLOWED_HEADERS = 'X-API-Key, X-API-Secret, Authorization, Content-Type';
const EXPOSED_HEADERS = 'Retry-After';

/**
 * CORS only for configured origins, and only for API-key requests: the grant names the
 * one origin (never `*`), and no Allow-Credentials, since keys travel in headers, not cookies.
 */
export function allowCors(reply: FastifyReply, origin: string): void {
  reply.header('Access-Control-Allow-Origin', origin);
  reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  reply.header('Vary', 'Origin');
}

export function isPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers.origin !== undefined
    && request.headers['access-control-request-method'] !== undefined;
}

/**
 * Answers a preflight for an API path: 204 with the grant when the origin is configured,
 * else 403 (the browser then never sends the real request).
 */
export function answerPreflight(reply: FastifyReply, origin: RequestOrigin, corsOrigins: ReadonlySet<string>, isApi: boolean): FastifyReply {
  if (isApi && origin.kind === 'url' && corsOrigins.has(origin.origin)) {
    allowCors(reply, origin.origin);
    return reply
      .header('Access-Control-Allow-Methods', ALLOWED_METHODS)
      .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
      .header('Access-Control-Max-Age', '600')
      .code(204)
      .send();
  }
  return reply.code(403).send({
    error: 'origin_not_allowed',
    message: 'Cross-origin calls are only answered for origins listed in STABLEQUEUE_CORS_ORIGINS, with an API key.',
  });
}
