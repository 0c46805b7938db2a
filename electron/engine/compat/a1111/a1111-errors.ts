/**
 * A1111's error shapes, so its clients read StableQueue's refusals as they read A1111's:
 * its api_middleware answers every HTTPException and uncaught error with
 * `{error: <exception class>, detail, body, errors: str(e)}` at the exception's status
 * (401 for --api-auth, 404 "Init image not found", 500 for a failed generation);
 * request validation is FastAPI's 422 `{detail: [{loc, msg, type}]}`.
 * StableQueue's own refusals (request policy, keys, queue limits) are sent as
 * `{error, message}` by the shared code; the hook here rewrites them on the way out.
 */
import type { FastifyInstance } from 'fastify';
import type { PydanticError } from './a1111-request.ts';

export interface A1111ErrorBody {
  error: string;
  detail: unknown;
  body: string;
  errors: string;
}

/** An HTTPException as A1111 answers it (str(e) of a starlette HTTPException is "<status>: <detail>"). */
export function a1111HttpException(status: number, detail: string): A1111ErrorBody {
  return { error: 'HTTPException', detail, body: '', errors: `${status}: ${detail}` };
}

/** Any other exception, as A1111's 500. */
export function a1111Exception(name: string, message: string): A1111ErrorBody {
  return { error: name, detail: '', body: '', errors: message };
}

export function a1111ValidationError(errors: PydanticError[]): { detail: PydanticError[] } {
  return { detail: errors };
}

/** Rewrites `{error, message}` refusals of the shared layers into A1111's shape, for this scope. */
export function installA1111ErrorShape(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return payload;
    }
    const body = parsed as { error?: unknown; message?: unknown; detail?: unknown };
    if (!body || typeof body !== 'object' || 'detail' in body || typeof body.message !== 'string') return payload;
    if (reply.statusCode === 401) reply.header('WWW-Authenticate', 'Basic');
    return JSON.stringify(a1111HttpException(reply.statusCode, body.message));
  });
}
