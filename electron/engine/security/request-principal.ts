import type { FastifyRequest } from 'fastify';
import type { ApiKeyRecord } from './api-key-store.ts';
import { PERMISSIONS, type Permission, type RouteAccess } from './permissions.ts';

/** How the UI proved it is the UI. */
export type UiVia = 'launch_token' | 'session' | 'local_network';

/** Who a request acts for, set by the request guard before any route runs. */
export type Principal =
  | { kind: 'ui'; via: UiVia }
  | { kind: 'key'; key: ApiKeyRecord };

declare module 'fastify' {
  interface FastifyRequest {
    /** Null until the guard has run, and for public routes without credentials. */
    principal: Principal | null;
    /** The API key's id (api_keys.id) when the request came with a key; jobs record it. */
    apiKeyId: string | null;
  }
  /** A route's policy, declared next to its handler (see RoutePolicy in permissions.ts). */
  interface FastifyContextConfig {
    permission?: RouteAccess;
    ownJobOnly?: boolean;
    createsJobs?: boolean;
  }
}

export function principalPermissions(principal: Principal | null): readonly Permission[] {
  if (!principal) return [];
  return principal.kind === 'ui' ? PERMISSIONS : principal.key.permissions;
}

export function keyOf(request: FastifyRequest): ApiKeyRecord | null {
  return request.principal?.kind === 'key' ? request.principal.key : null;
}
