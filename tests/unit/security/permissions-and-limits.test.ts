import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_LIMITS, jsonDepthExceeds } from '../../../electron/engine/security/input-limits.ts';
import { grants } from '../../../electron/engine/security/permissions.ts';
import { buildRoutesOnly, declaredPolicy } from './helpers/api-app.ts';

// What each route declares next to its handler, read from the real API app.
describe('route permissions', () => {
  let app: FastifyInstance;
  let policies: Map<string, Record<string, unknown>>;
  const routeRequirement = (method: string, url: string) => declaredPolicy(policies, method, url);
  beforeAll(async () => {
    ({ app, policies } = await buildRoutesOnly());
  });
  afterAll(async () => app?.close());

  it.each([
    ['POST', '/api/v2/generate', 'submit'],
    ['POST', '/api/v1/generate', 'submit'],
    ['POST', '/api/v1/queue/jobs/:id/cancel', 'submit'],
    ['DELETE', '/api/v1/queue/jobs/:id', 'submit'],
    ['GET', '/api/v1/queue/jobs', 'read'],
    ['GET', '/api/v1/queue/jobs/:id/status', 'read'],
    ['HEAD', '/api/v1/images/:id/download', 'read'],
    ['GET', '/api/v1/gallery/images', 'read'],
    ['GET', '/api/v1/servers', 'read'],
    ['GET', '/api/v1/servers/:alias/resources/:kind', 'read'],
    ['GET', '/api/v1/events', 'read'],
    ['GET', '/api/v1/health', 'public'],
    ['POST', '/api/v1/auth/login', 'public'],
    ['GET', '/api/v1/settings', 'admin'],
    ['PUT', '/api/v1/settings/civitai-token', 'admin'],
    ['GET', '/api/v1/api-keys', 'admin'],
    ['POST', '/api/v1/servers', 'admin'],
    ['POST', '/api/v1/queue/pause', 'admin'],
    ['POST', '/api/v1/queue/jobs/:id/retry', 'submit'],
    ['POST', '/api/v1/queue/jobs/:id/reorder', 'submit'],
    ['PUT', '/api/v1/queue/jobs/:id/priority', 'admin'],
    ['POST', '/api/v1/queue/jobs/:id/requeue', 'admin'],
    ['DELETE', '/api/v1/images/:id', 'admin'],
  ])('%s %s needs %s', (method, url, permission) => {
    expect(routeRequirement(method, url).permission).toBe(permission);
  });

  it('own-job routes are marked, a route may declare its own need, admin grants all', () => {
    for (const action of ['cancel', 'retry', 'reorder']) {
      expect(routeRequirement('POST', `/api/v1/queue/jobs/:id/${action}`).ownJobOnly).toBe(true);
    }
    expect(routeRequirement('DELETE', '/api/v1/queue/jobs/:id').ownJobOnly).toBe(true);
    for (const route of ['POST /api/v1/generate', 'POST /api/v2/generate', 'POST /api/v1/queue/jobs/:id/requeue']) {
      expect(policies.get(route)?.createsJobs, route).toBe(true);
    }
    expect(grants(['admin'], 'submit')).toBe(true);
    expect(grants(['read'], 'submit')).toBe(false);
    expect(grants([], 'read')).toBe(false);
  });
});

describe('JSON depth', () => {
  it('counts nesting without recursion, even far past the limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonDepthExceeds(deep, INPUT_LIMITS.maxJsonDepth)).toBe(true);
    let ok: unknown = { a: 1 };
    for (let i = 0; i < INPUT_LIMITS.maxJsonDepth - 1; i++) ok = { n: ok };
    expect(jsonDepthExceeds(ok, INPUT_LIMITS.maxJsonDepth)).toBe(false);
    expect(jsonDepthExceeds({ n: ok }, INPUT_LIMITS.maxJsonDepth)).toBe(true);
    expect(jsonDepthExceeds('x', 1)).toBe(false);
  });
});
