import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';

/** Prometheus scrape endpoint; guarded like the API (a key with `read`, or the UI). */
export function registerMetricsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/metrics', { config: { permission: 'read' }, schema: { tags: ['operations'], hide: true } }, async (_request, reply) =>
    reply.header('Cache-Control', 'no-store').type(ctx.ops.metrics.contentType).send(await ctx.ops.metrics.text()));
}
