import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { deny, tooManyRequests } from '../deny.ts';
import { principalPermissions } from '../request-principal.ts';
import { secretEquals } from '../secret-compare.ts';
import type { SecurityServices } from '../security-services.ts';
import { SESSION_COOKIE } from '../session-store.ts';
import { resolveUiAccess } from '../ui-access.ts';

const SessionSchema = Type.Object({
  authenticated: Type.Boolean(),
  password_required: Type.Boolean(),
  method: Type.Union([
    Type.Literal('launch_token'), Type.Literal('session'), Type.Literal('local_network'), Type.Literal('api_key'), Type.Null(),
  ]),
  permissions: Type.Array(Type.String()),
  message: Type.Optional(Type.String()),
});
const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 429: ApiErrorSchema };

function cookieOptions(request: FastifyRequest, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    // Only when the browser reached us over TLS (a proxy in front): a Secure cookie over plain http is dropped.
    secure: request.protocol === 'https',
    maxAge: maxAgeSeconds,
  };
}

/**
 * Password login for a headless server on a LAN (STABLEQUEUE_PASSWORD):
 *   POST /api/v1/auth/login {password} → HttpOnly, SameSite=Strict session cookie;
 *   POST /api/v1/auth/logout;
 *   GET  /api/v1/auth/session → {authenticated, password_required, method, permissions}.
 * Wrong passwords count towards the per-address backoff shared with API key checks.
 */
export function registerAuthRoutes(app: FastifyInstance, services: SecurityServices): void {
  const { config } = services.ctx;

  app.post<{ Body: { password: string } }>('/api/v1/auth/login', {
    config: { permission: 'public' },
    schema: {
      tags: ['auth'],
      body: Type.Object({ password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
      response: { 200: SessionSchema, ...errors },
    },
  }, async (request, reply): Promise<FastifyReply | unknown> => {
    if (!config.uiPassword) {
      return deny(reply, 400, 'password_not_set', 'No password is set on this StableQueue (STABLEQUEUE_PASSWORD), so there is nothing to sign in to.');
    }
    const address = request.socket.remoteAddress;
    const wait = services.backoff.retryAfterMs(address);
    if (wait > 0) {
      return tooManyRequests(reply, wait, 'too_many_failed_attempts', (s) => `Too many wrong passwords from this address; try again in ${s} s.`);
    }
    if (!secretEquals(request.body.password, config.uiPassword)) {
      services.backoff.recordFailure(address);
      request.log.warn({ dir: 'client→engine', client: address }, 'wrong password');
      return deny(reply, 401, 'invalid_password', 'That password is not right.');
    }
    services.backoff.recordSuccess(address);
    services.sessions.revoke(request.cookies[SESSION_COOKIE]);
    const id = services.sessions.create();
    reply.setCookie(SESSION_COOKIE, id, cookieOptions(request, Math.floor(services.sessions.ttlMs / 1000)));
    reply.header('Cache-Control', 'no-store');
    return { authenticated: true, password_required: true, method: 'session', permissions: [...principalPermissions({ kind: 'ui', via: 'session' })] };
  });

  app.post('/api/v1/auth/logout', {
    config: { permission: 'public' },
    schema: { tags: ['auth'], response: { 200: Type.Object({ authenticated: Type.Boolean() }), ...errors } },
  }, async (request, reply) => {
    services.sessions.revoke(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { authenticated: false };
  });

  app.get('/api/v1/auth/session', {
    config: { permission: 'public' },
    schema: { tags: ['auth'], response: { 200: SessionSchema, ...errors } },
  }, async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const passwordRequired = Boolean(config.uiPassword);
    if (request.principal?.kind === 'key') {
      return { authenticated: true, password_required: passwordRequired, method: 'api_key', permissions: [...principalPermissions(request.principal)] };
    }
    const access = resolveUiAccess(request, services);
    if (access.ok) {
      return { authenticated: true, password_required: passwordRequired, method: access.via, permissions: [...principalPermissions({ kind: 'ui', via: access.via })] };
    }
    return { authenticated: false, password_required: passwordRequired, method: null, permissions: [], message: access.message };
  });
}
