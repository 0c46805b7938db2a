import type { FastifyInstance } from 'fastify';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { DispatchStatsQuerySchema, DispatchStatsResponseSchema, type DispatchStatsQuery, type DispatchStatsResponse } from '../../../../shared/dispatch.ts';
import type { ApiContext } from '../context.ts';

/** What smart dispatch learned and saved: per-server speed and model loads, and when the queue should be done. */
export function registerDispatchRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: DispatchStatsQuery }>('/api/v1/queue/dispatch-stats', {
    config: { permission: 'read' },
    schema: { tags: ['queue'], querystring: DispatchStatsQuerySchema, response: { 200: DispatchStatsResponseSchema, 400: ApiErrorSchema } },
  }, async (request): Promise<DispatchStatsResponse> => {
    const stats = ctx.dispatcher.stats;
    return {
      ...stats.totals(),
      servers: ctx.registry.all().map((s) => ({ alias: s.row.alias, ...stats.forServer(s.row.alias) })),
      all_done_by: ctx.service.allDoneBy(),
      ...(request.query.forecast ? { forecast: ctx.service.forecast(request.query.forecast) } : {}),
    };
  });
}
