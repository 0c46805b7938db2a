import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { ApiContext } from '../context.ts';

export function registerHealthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/health', {
    schema: {
      tags: ['system'],
      response: { 200: Type.Object({ ok: Type.Boolean(), version: Type.String(), uptime_s: Type.Number(), running_jobs: Type.Integer() }) },
    },
  }, async () => {
    ctx.db.prepare('SELECT 1').get();
    return { ok: true, version: ctx.version, uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000), running_jobs: ctx.dispatcher.runningCount() };
  });
}
