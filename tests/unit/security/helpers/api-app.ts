import type { FastifyInstance } from 'fastify';
import { buildApiApp, type RouteRegistrar } from '../../../../electron/engine/api/app.ts';
import type { ApiContext } from '../../../../electron/engine/api/context.ts';
import { silentLogger } from '../../../../electron/engine/logger.ts';
import { registerApiKeyRoutes } from '../../../../electron/engine/security/routes/api-key-routes.ts';
import { registerAuthRoutes } from '../../../../electron/engine/security/routes/auth-routes.ts';
import { registerCivitaiTokenRoutes } from '../../../../electron/engine/security/routes/civitai-token-routes.ts';
import type { SecurityServices } from '../../../../electron/engine/security/security-services.ts';

/** Anything a route module touches while registering (not while handling): every property is this again. */
const nothing: object = new Proxy({}, { get: (_target, key) => (key === 'then' || typeof key === 'symbol' ? undefined : nothing) });

/**
 * The engine's real API app, built without starting an engine (the API docs' own routes,
 * registered first, are left out of `policies`): the core routes and the
 * security routes registered as in production, with a context no handler will use. For
 * reading what each route declares (its policy) and for the start-up checks.
 */
export async function buildRoutesOnly(extra: RouteRegistrar[] = []): Promise<{ app: FastifyInstance; policies: Map<string, Record<string, unknown>> }> {
  const ctx = new Proxy({ config: { uiDir: null }, version: 'test', logger: silentLogger() }, {
    get: (target, key) => (key in target ? target[key as keyof typeof target] : nothing),
  }) as unknown as ApiContext;
  const services = nothing as SecurityServices;
  const policies = new Map<string, Record<string, unknown>>();
  const app = await buildApiApp(ctx, {
    before: [(instance) => {
      instance.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) policies.set(`${method} ${route.url}`, { ...route.config });
      });
    }],
    routes: [
      (app) => registerApiKeyRoutes(app, services),
      (app) => registerAuthRoutes(app, services),
      (app) => registerCivitaiTokenRoutes(app, services),
      ...extra,
    ],
  });
  return { app, policies };
}

/** The policy a registered route declared (its Fastify config), by method and pattern. */
export function declaredPolicy(policies: Map<string, Record<string, unknown>>, method: string, url: string): Record<string, unknown> {
  const policy = policies.get(`${method} ${url}`);
  if (!policy) throw new Error(`no route ${method} ${url}`);
  return policy;
}
