import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { HealthSchema, type Health } from '../../../../shared/health.ts';
import type { ApiContext } from '../context.ts';

/**
 * Liveness and readiness. Liveness (`ok`, `/live`) says the process and its database
 * answer, nothing more: a full disk or a server that is down must not get the container
 * restarted. Readiness (`/ready`, 503 when not ready) says whether jobs can go through now.
 */
export function registerHealthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const health = (): Health => {
    let database = 'ok';
    try {
      ctx.db.prepare('SELECT 1').get();
    } catch (error) {
      database = (error as Error).message;
    }
    const diskFull = ctx.ops.disk.blocked();
    const servers = ctx.registry.all();
    return {
      ok: database === 'ok', live: database === 'ok', ready: database === 'ok' && diskFull === null,
      version: ctx.version, uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000), running_jobs: ctx.dispatcher.runningCount(),
      recovered: ctx.ops.recovery !== null,
      checks: { database, disk: diskFull ?? 'ok', servers_online: servers.filter((s) => s.health === 'online').length, servers: servers.length },
    };
  };
  const publicRoute = { permission: 'public' } as const;

  app.get('/api/v1/health', { config: publicRoute, schema: { tags: ['system'], response: { 200: HealthSchema } } }, async () => health());

  app.get('/api/v1/health/live', {
    config: publicRoute, schema: { tags: ['system'], response: { 200: Type.Object({ live: Type.Boolean() }), 503: Type.Object({ live: Type.Boolean() }) } },
  }, async (_request, reply) => {
    const { live } = health();
    return reply.code(live ? 200 : 503).send({ live });
  });

  app.get('/api/v1/health/ready', {
    config: publicRoute, schema: { tags: ['system'], response: { 200: HealthSchema, 503: HealthSchema } },
  }, async (_request, reply) => {
    const state = health();
    return reply.code(state.ready ? 200 : 503).send(state);
  });
}
