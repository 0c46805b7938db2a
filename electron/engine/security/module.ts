import fastifyCookie from '@fastify/cookie';
import type { ApiContext } from '../api/context.ts';
import type { EngineModule } from '../engine-module.ts';
import { installInputLimits } from './input-limits.ts';
import { installKeyJobLimits } from './key-job-limits.ts';
import { installRequestGuard } from './request-guard.ts';
import { installResponseHeaders } from './response-headers.ts';
import './request-principal.ts';
import { registerApiKeyRoutes } from './routes/api-key-routes.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerCivitaiTokenRoutes } from './routes/civitai-token-routes.ts';
import { createSecurityServices, type SecurityServices } from './security-services.ts';

/**
 * Request policy (Host allow-list, Origin checks, CORS for configured origins), API keys
 * (auth, permissions, per-key rate limits and queue depth), the headless password login,
 * input limits, and the Civitai token endpoints. Fresh state per engine instance.
 */
export function createSecurityModule(): EngineModule {
  let services: SecurityServices | null = null;
  const need = (): SecurityServices => {
    if (!services) throw new Error('security module used before init');
    return services;
  };

  return {
    name: 'security',
    init(ctx: ApiContext) {
      services = createSecurityServices(ctx);
    },
    before: [
      async (app) => {
        // Cookies are parsed in an onRequest hook of their own, registered first so the guard sees them.
        await app.register(fastifyCookie);
        app.decorateRequest('principal', null);
        app.decorateRequest('apiKeyId', null);
        installRequestGuard(app, need());
        installResponseHeaders(app);
        installInputLimits(app);
        installKeyJobLimits(app, need());
      },
    ],
    routes: [
      (app) => registerApiKeyRoutes(app, need()),
      (app) => registerAuthRoutes(app, need()),
      (app) => registerCivitaiTokenRoutes(app, need()),
    ],
    stop() {
      services?.sessions.clear();
      services = null;
    },
  };
}
