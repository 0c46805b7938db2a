import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { LIMITS } from '../../../shared/limits.ts';
import type { ApiContext } from './context.ts';
import { registerCompression } from './compression.ts';
import { installErrorHandling } from './errors.ts';
import { installRoutePolicyCheck } from './route-policy-check.ts';
import { registerBackupRoutes } from './routes/backups.ts';
import { registerDiagnosticsRoutes } from './routes/diagnostics.ts';
import { registerDispatchRoutes } from './routes/dispatch.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerGenerateRoutes } from './routes/generate.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerImageRoutes } from './routes/images.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';
import { registerOpsStatusRoutes } from './routes/ops-status.ts';
import { registerQueueRoutes } from './routes/queue.ts';
import { registerServerRoutes } from './routes/servers.ts';
import { registerSettingsRoutes } from './routes/settings.ts';
import { registerStaticUi } from './static-ui.ts';

export type RouteRegistrar = (app: FastifyInstance, ctx: ApiContext) => void | Promise<void>;

/**
 * The HTTP API: one API for the UI, phones, extensions and scripts. Extra registrars
 * (security policy, API keys, models, Civitai…) plug in before the routes.
 */
export async function buildApiApp(ctx: ApiContext, plugins: { before?: RouteRegistrar[]; routes?: RouteRegistrar[] } = {}): Promise<FastifyInstance> {
  // Typed as the default instance so route modules need not carry pino's logger generics.
  const app = Fastify({
    loggerInstance: ctx.logger.child({ dir: 'ui→engine' }),
    // Per-request lines would drown the queue's own logs (progress polling, SSE).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: LIMITS.bodyBytes,
    routerOptions: { maxParamLength: 200 },
    trustProxy: false,
    forceCloseConnections: true,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
      plugins: [(await import('ajv-formats')).default as never],
    },
  }) as unknown as FastifyInstance;
  installErrorHandling(app);
  installRoutePolicyCheck(app);
  await registerCompression(app);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    return payload;
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'StableQueue API', version: ctx.version, description: 'Queue, servers, gallery and events of StableQueue.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          apiSecret: { type: 'apiKey', in: 'header', name: 'X-API-Secret' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  for (const register of plugins.before ?? []) await register(app, ctx);
  registerHealthRoutes(app, ctx);
  registerServerRoutes(app, ctx);
  registerGenerateRoutes(app, ctx);
  registerQueueRoutes(app, ctx);
  registerDispatchRoutes(app, ctx);
  registerImageRoutes(app, ctx);
  registerSettingsRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerBackupRoutes(app, ctx);
  registerOpsStatusRoutes(app, ctx);
  registerDiagnosticsRoutes(app, ctx);
  registerMetricsRoutes(app, ctx);
  for (const register of plugins.routes ?? []) await register(app, ctx);
  await registerStaticUi(app, ctx.config.uiDir);
  return app;
}
