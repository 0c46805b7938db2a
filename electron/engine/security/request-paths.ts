import type { FastifyRequest } from 'fastify';

function rawPath(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

const underPrefix = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/**
 * Whether a request addresses `prefix` (e.g. /api): by the matched route pattern, and by
 * the path both raw and percent-decoded, so `/%61pi/…` cannot slip past as a static file
 * when the router decodes it to an API route.
 */
export function isUnder(request: FastifyRequest, prefix: string): boolean {
  const route = request.routeOptions.url;
  if (route && underPrefix(route, prefix)) return true;
  const path = rawPath(request);
  return underPrefix(path, prefix) || underPrefix(decoded(path), prefix);
}

/**
 * The paths the request policy guards: the API, and what sits outside /api but is the API
 * all the same (the Prometheus /metrics, the MobileSD API's /gallery_files, the A1111- and
 * ComfyUI-compatible facades under /compat). Everything else is the static UI.
 */
export const GUARDED_PREFIXES = ['/api', '/metrics', '/gallery_files', '/compat'] as const;

/** Whether a route pattern lies under one of the guarded prefixes. */
export const isGuardedRoute = (url: string): boolean => GUARDED_PREFIXES.some((prefix) => underPrefix(url, prefix));

/** The route pattern when a route matched (e.g. /api/v1/queue/jobs/:id), else null (404). */
export function routePattern(request: FastifyRequest): string | null {
  return request.routeOptions.url ?? null;
}
