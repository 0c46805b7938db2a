import { describe, expect, it } from 'vitest';
import { INPUT_LIMITS, jsonDepthExceeds } from '../../../electron/engine/security/input-limits.ts';
import { grants, routeRequirement } from '../../../electron/engine/security/permissions.ts';

describe('route permissions', () => {
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
    ['GET', '/api/v2/jobs/:id', 'read'],
    ['GET', '/api/v1/health', 'public'],
    ['GET', '/api/docs/json', 'public'],
    ['GET', '/api/docs/static/index.html', 'public'],
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
    ['GET', '/api/v1/something-new', 'admin'],
  ])('%s %s needs %s', (method, url, permission) => {
    expect(routeRequirement(method, url).permission).toBe(permission);
  });

  it('own-job routes are marked, a route may declare its own need, admin grants all', () => {
    for (const action of ['cancel', 'retry', 'reorder']) {
      expect(routeRequirement('POST', `/api/v1/queue/jobs/:id/${action}`).ownJobOnly).toBe(true);
    }
    expect(routeRequirement('DELETE', '/api/v1/queue/jobs/:id').ownJobOnly).toBe(true);
    expect(routeRequirement('POST', '/api/v2/comfyui/thing', 'submit').permission).toBe('submit');
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
