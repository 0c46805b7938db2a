import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readPresentedCredentials, type PresentedCredentials } from './api-key-credentials.ts';
import { allowCors, answerPreflight, isPreflight } from './cors.ts';
import { deny, tooManyRequests } from './deny.ts';
import { isSameOrigin, isSameOriginFetch, readOrigin } from './origin-policy.ts';
import { grants, policyOf, type RoutePolicy } from './permissions.ts';
import { GUARDED_PREFIXES, isUnder, routePattern } from './request-paths.ts';
import type { SecurityServices } from './security-services.ts';
import { resolveUiAccess } from './ui-access.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The request policy, as one onRequest hook that runs before every route:
 *   1. Host allow-list (DNS rebinding)                         → 403 host_not_allowed
 *   2. CORS preflight for configured origins                   → 204 / 403
 *   3. Origin: a foreign or `null` Origin may not change state → 403 origin_not_allowed
 *      (a key request from a configured CORS origin excepted)
 *   4. outside /api: the static UI, open so the login page can load
 *   5. with API key credentials: failed-attempt backoff, verify, per-key rate limit, permission
 *   6. /api/v2 without a key                                   → 401 api_key_required
 *   7. otherwise the UI path: same-origin fetches only, then launch token / session /
 *      local network (ui-access.ts); the UI is admin.
 * Public routes (health, login, logout, session) skip 6 and 7.
 */
export function installRequestGuard(app: FastifyInstance, services: SecurityServices): void {
  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host;
    if (!services.hostAllowed(host)) {
      return deny(reply, 403, 'host_not_allowed', 'This StableQueue does not answer to that Host name. If the name is yours, add it to STABLEQUEUE_ALLOWED_HOSTS.');
    }
    const compat = isUnder(request, '/compat');
    const api = GUARDED_PREFIXES.some((prefix) => isUnder(request, prefix));
    const origin = readOrigin(request.headers.origin);
    if (isPreflight(request)) return answerPreflight(reply, origin, services.corsOrigins, api);

    const credentials: PresentedCredentials = api ? readPresentedCredentials(request.headers, { basic: compat }) : { kind: 'none' };
    const sameOrigin = origin.kind === 'absent' || isSameOrigin(origin, host);
    const corsOrigin = !sameOrigin && origin.kind === 'url' && credentials.kind !== 'none' && services.corsOrigins.has(origin.origin)
      ? origin.origin : null;
    if (corsOrigin) allowCors(reply, corsOrigin);
    if (!sameOrigin && !corsOrigin) {
      if (!SAFE_METHODS.has(request.method)) {
        return deny(reply, 403, 'origin_not_allowed', 'Cross-site requests that change anything are refused. Other apps call StableQueue with an API key from an origin listed in STABLEQUEUE_CORS_ORIGINS.');
      }
      if (api && credentials.kind === 'none') {
        return deny(reply, 403, 'origin_not_allowed', 'The API answers other sites only with an API key, from an origin listed in STABLEQUEUE_CORS_ORIGINS.');
      }
    }
    if (!api) return;

    // An unknown route needs no particular permission: it answers 404 once authenticated.
    const requirement = routePattern(request) ? policyOf(request.routeOptions.config) : null;

    if (credentials.kind !== 'none') return authenticateKey(request, reply, credentials, requirement, services);
    if (requirement?.permission === 'public') return;
    if (isUnder(request, '/api/v2')) {
      return deny(reply, 401, 'api_key_required', '/api/v2 needs an API key: send X-API-Key and X-API-Secret, or Authorization: Bearer <key>.<secret>. Create a key under Settings → API keys.');
    }
    if (!isSameOriginFetch(request.headers['sec-fetch-site'])) {
      return deny(reply, 403, 'cross_site_request', 'The API answers the StableQueue UI only from its own pages; other sites need an API key.');
    }
    const access = resolveUiAccess(request, services);
    if (!access.ok) return deny(reply, access.status, access.error, access.message);
    request.principal = { kind: 'ui', via: access.via };
  });
}

async function authenticateKey(
  request: FastifyRequest, reply: FastifyReply, credentials: Exclude<PresentedCredentials, { kind: 'none' }>,
  requirement: RoutePolicy | null, services: SecurityServices,
): Promise<FastifyReply | undefined> {
  const address = request.socket.remoteAddress;
  const wait = services.backoff.retryAfterMs(address);
  if (wait > 0) {
    return tooManyRequests(reply, wait, 'too_many_failed_attempts', (s) => `Too many failed API key checks from this address; try again in ${s} s.`);
  }
  if (credentials.kind === 'malformed') {
    services.backoff.recordFailure(address);
    return deny(reply, 401, 'invalid_api_key', credentials.reason);
  }
  const check = services.keys.verify(credentials.keyId, credentials.secret);
  if (!check.ok) {
    // A disabled key with its right secret is its owner, not a guess: no backoff for it.
    if (check.reason === 'disabled') {
      return deny(reply, 401, 'api_key_disabled', 'This API key is disabled. Enable it under Settings → API keys, or use another key.');
    }
    services.backoff.recordFailure(address);
    request.log.warn({ dir: 'client→engine', client: address, key_id: credentials.keyId, reason: check.reason }, 'API key refused');
    return deny(reply, 401, 'invalid_api_key', 'The API key or secret is wrong, or the key was deleted. Check X-API-Key and X-API-Secret (or the Bearer <key>.<secret> token).');
  }
  services.backoff.recordSuccess(address);
  const key = check.key;
  const take = services.buckets.take(key.id, key.rateLimitPerMinute);
  if (!take.ok) {
    return tooManyRequests(reply, take.retryAfterMs, 'rate_limited', (s) => `This API key may make ${key.rateLimitPerMinute} requests a minute; try again in ${s} s.`);
  }
  request.principal = { kind: 'key', key };
  request.apiKeyId = key.id;
  services.keys.touch(key.id);
  const needed = requirement?.permission;
  if (needed && needed !== 'public' && !grants(key.permissions, needed)) {
    return deny(reply, 403, 'permission_denied', `This API key lacks the "${needed}" permission that ${request.method} ${routePattern(request)} needs. Its permissions: ${key.permissions.join(', ') || 'none'}.`);
  }
  return undefined;
}
