import type { FastifyInstance } from 'fastify';
import { deny } from './deny.ts';
import { grants, policyOf } from './permissions.ts';
import { keyOf } from './request-principal.ts';
import type { SecurityServices } from './security-services.ts';

/**
 * What an API key may do to jobs, checked once the route's input is validated:
 *   - a key without admin may cancel, retry, move, edit or remove only the jobs it submitted (403 not_your_job);
 *   - a key may hold at most `max_queue_depth` unfinished jobs (429 queue_depth_exceeded).
 * The UI is not capped.
 */
export function installKeyJobLimits(app: FastifyInstance, services: SecurityServices): void {
  app.addHook('preHandler', async (request, reply) => {
    const key = keyOf(request);
    const policy = request.routeOptions.url ? policyOf(request.routeOptions.config) : null;
    if (!key || !policy) return undefined;
    if (policy.ownJobOnly && !grants(key.permissions, 'admin')) {
      const id = (request.params as { id?: unknown } | undefined)?.id;
      const job = typeof id === 'string' ? services.ctx.jobs.get(id) : undefined;
      if (job && job.api_key_id !== key.id) {
        return deny(reply, 403, 'not_your_job', 'This API key may only cancel, retry, move, edit or remove jobs it submitted itself.');
      }
    }
    if (policy.createsJobs) {
      const active = services.ctx.jobs.activeJobsForKey(key.id);
      if (active >= key.maxQueueDepth) {
        return deny(reply, 429, 'queue_depth_exceeded', `This API key already has ${active} unfinished jobs, its limit (max_queue_depth ${key.maxQueueDepth}); wait for some to finish or cancel them.`);
      }
    }
    return undefined;
  });
}
