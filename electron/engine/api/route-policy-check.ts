import type { FastifyInstance } from 'fastify';
import { isGuardedRoute } from '../security/request-paths.ts';

/** The OpenAPI document and its viewer describe the API and hold no data; the browser loads their assets itself. */
const DOCS_PREFIX = '/api/docs';

/**
 * Start-up check that every API route declares its policy (`config: { permission }`, and
 * `ownJobOnly` / `createsJobs` where they apply) next to its handler. A route without one
 * makes building the app throw, so the server refuses to start instead of guessing what
 * the route needs. Install it before any route is registered.
 */
export function installRoutePolicyCheck(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!isGuardedRoute(route.url)) return;
    if (route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`)) {
      // The docs plugin's routes cannot carry a config of their own.
      route.config = { ...route.config, permission: route.config?.permission ?? 'public' };
      return;
    }
    if (!route.config?.permission) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new Error(`${methods} ${route.url} declares no permission: add config: { permission: 'read' | 'submit' | 'admin' | 'public' } next to its handler.`);
    }
  });
}
