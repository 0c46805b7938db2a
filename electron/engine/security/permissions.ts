/**
 * What an API key may do:
 *   submit: create jobs (POST /api/v1/generate, /api/v2/generate); cancel, retry, move (reorder)
 *           or remove its own jobs;
 *   read:   GET the queue, jobs, images, gallery, servers, models (and the legacy checkpoint and
 *           LoRA lists) and events;
 *   admin:  everything, including servers, keys and settings.
 * The UI itself (same-origin requests from a trusted place) is admin.
 */
import { PERMISSIONS, type Permission } from '../../../shared/api-keys.ts';

export { PERMISSIONS, type Permission };

/** What a route needs. 'public' routes need no credentials at all (health, login). */
export type RouteAccess = Permission | 'public';

export interface RouteRequirement {
  permission: RouteAccess;
  /** A non-admin key may use the route only on jobs it created itself (`:id` is a job id). */
  ownJobOnly?: boolean;
}

interface Rule {
  methods: readonly string[];
  url: RegExp;
  requirement: RouteRequirement;
}

const READ = ['GET', 'HEAD'] as const;

const RULES: readonly Rule[] = [
  { methods: READ, url: /^\/api\/v1\/health$/, requirement: { permission: 'public' } },
  { methods: ['POST'], url: /^\/api\/v1\/auth\/(login|logout)$/, requirement: { permission: 'public' } },
  { methods: READ, url: /^\/api\/v1\/auth\/session$/, requirement: { permission: 'public' } },
  // The OpenAPI document and its viewer describe the API and hold no data; their pages and
  // assets are loaded by the browser itself, which cannot add the launch token to each one.
  { methods: READ, url: /^\/api\/docs(\/|$)/, requirement: { permission: 'public' } },
  { methods: ['POST'], url: /^\/api\/v[12]\/generate$/, requirement: { permission: 'submit' } },
  { methods: ['POST'], url: /^\/api\/v1\/queue\/jobs\/:id\/(cancel|retry|reorder)$/, requirement: { permission: 'submit', ownJobOnly: true } },
  { methods: ['DELETE'], url: /^\/api\/v1\/queue\/jobs\/:id$/, requirement: { permission: 'submit', ownJobOnly: true } },
  {
    methods: READ,
    url: /^\/api\/(v1\/(queue|images|gallery|servers|events|models|checkpoints|loras)(\/|$)|v2\/)/,
    requirement: { permission: 'read' },
  },
  // The seed plan's image files by name (outside /api, guarded like it).
  { methods: READ, url: /^\/gallery_files\//, requirement: { permission: 'read' } },
];

/**
 * The permission a route needs, from its method and route pattern (e.g.
 * `/api/v1/queue/jobs/:id/cancel`). A route may declare its own with
 * `config: { permission: 'read' }`; anything not listed needs admin (deny by default).
 */
export function routeRequirement(method: string, routeUrl: string, declared?: RouteAccess): RouteRequirement {
  if (declared) return { permission: declared };
  const m = method.toUpperCase();
  for (const rule of RULES) {
    if (rule.methods.includes(m) && rule.url.test(routeUrl)) return rule.requirement;
  }
  return { permission: 'admin' };
}

export function grants(held: readonly Permission[], needed: Permission): boolean {
  return held.includes('admin') || held.includes(needed);
}

export function isPermissionList(value: unknown): value is Permission[] {
  return Array.isArray(value) && value.every((p) => (PERMISSIONS as readonly string[]).includes(p as string));
}
