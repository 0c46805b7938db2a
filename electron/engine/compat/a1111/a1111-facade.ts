/**
 * The A1111-compatible API: `/sdapi/v1/...` as AUTOMATIC1111 serves it, over StableQueue's
 * queue, so a client made for one A1111 server gets the queue, every server and the
 * gallery by changing its base URL to `<StableQueue>/compat/a1111`.
 */
import type { FastifyInstance } from 'fastify';
import type { CompatContext } from '../compat-context.ts';
import { installA1111ErrorShape } from './a1111-errors.ts';
import { registerA1111GenerationRoutes } from './a1111-generation-routes.ts';
import { registerA1111ListRoutes } from './a1111-list-routes.ts';
import { registerA1111ProgressRoutes } from './a1111-progress-routes.ts';

export const A1111_PREFIX = '/compat/a1111';

export async function registerA1111Facade(app: FastifyInstance, compat: CompatContext): Promise<void> {
  await app.register(async (scope) => {
    installA1111ErrorShape(scope);
    registerA1111GenerationRoutes(scope, compat);
    registerA1111ProgressRoutes(scope, compat);
    registerA1111ListRoutes(scope, compat);
  }, { prefix: A1111_PREFIX });
}
