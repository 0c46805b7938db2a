/**
 * What an API key may do (the list and its meaning are in shared/api-keys.ts); the UI itself
 * (same-origin requests from a trusted place) is admin.
 */
import { PERMISSIONS, type Permission } from '../../../shared/api-keys.ts';

export { PERMISSIONS, type Permission };

/** What a route needs. 'public' routes need no credentials at all (health, login). */
export type RouteAccess = Permission | 'public';

/**
 * What a route needs, declared next to its handler as its Fastify `config`. Every route
 * under /api, /compat, /metrics and /gallery_files declares one; the server refuses to
 * start otherwise (api/route-policy-check.ts), so nothing falls back to a table far away.
 */
export interface RoutePolicy {
  permission: RouteAccess;
  /** A non-admin key may use the route only on jobs it created itself (`:id` is a job id). */
  ownJobOnly?: boolean;
  /** The route creates jobs, so a key's queue depth cap applies. */
  createsJobs?: boolean;
}

/** The policy a route declared, or null when it declared none (an unknown route: 404 once authenticated). */
export function policyOf(config: Partial<RoutePolicy> | undefined): RoutePolicy | null {
  return config?.permission ? { permission: config.permission, ownJobOnly: config.ownJobOnly, createsJobs: config.createsJobs } : null;
}

export function grants(held: readonly Permission[], needed: Permission): boolean {
  return held.includes('admin') || held.includes(needed);
}

export function isPermissionList(value: unknown): value is Permission[] {
  return Array.isArray(value) && value.every((p) => (PERMISSIONS as readonly string[]).includes(p as string));
}
