import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installRoutePolicyCheck } from '../../../electron/engine/api/route-policy-check.ts';
import { buildRoutesOnly } from './helpers/api-app.ts';

/** A bare app with the check, recording the config each route ends up with. */
function checkedApp() {
  const app = Fastify();
  installRoutePolicyCheck(app);
  const seen = new Map<string, unknown>();
  app.addHook('onRoute', (route) => { seen.set(route.url, route.config?.permission); });
  return { app, seen };
}

describe('every API route declares its permission next to its handler', () => {
  it('the real API app builds: each of its routes declares one', async () => {
    const { app, policies } = await buildRoutesOnly();
    const undeclared = [...policies].filter(([route, config]) => route.includes(' /api') && !config.permission);
    expect(undeclared).toEqual([]);
    expect(policies.size).toBeGreaterThan(30);
    await app.close();
  });

  it('an /api route without a permission makes start-up fail, naming the route', async () => {
    await expect(buildRoutesOnly([(app) => { app.get('/api/v1/forgotten', async () => ({})); }]))
      .rejects.toThrow(/GET \/api\/v1\/forgotten declares no permission/);
  });

  it.each(['/api/v2/thing', '/compat/a1111/sdapi/v1/thing', '/metrics/extra', '/gallery_files/*'])('%s without one is refused too', async (url) => {
    const { app } = checkedApp();
    expect(() => app.post(url, async () => ({}))).toThrow(/declares no permission/);
    await app.close();
  });

  it('a declared route registers; the static UI outside the API needs none; the API docs are public', async () => {
    const { app, seen } = checkedApp();
    app.get('/api/v1/declared', { config: { permission: 'read' } }, async () => ({}));
    app.get('/', async () => 'ui');
    app.get('/assets/*', async () => 'asset');
    app.get('/api/docs/json', async () => ({}));
    await app.ready();
    expect(Object.fromEntries(seen)).toEqual({
      '/api/v1/declared': 'read', '/': undefined, '/assets/*': undefined, '/api/docs/json': 'public',
    });
    await app.close();
  });
});
