/**
 * Batches and grids as an engine module: the batch service, its routes, and the watch on
 * job endings that finishes a batch (contact sheet, batch.finished) when its last job ends.
 */
import type { BatchAction } from '../../../shared/batches.ts';
import { isFinishedStatus, type JobStatus } from '../../../shared/jobs.ts';
import type { ApiContext } from '../api/context.ts';
import type { EngineModule } from '../engine-module.ts';
import { registerBatchRoutes } from './api/batch-routes.ts';
import { BatchService } from './batch-service.ts';
import { BatchStore } from './batch-store.ts';

export function createBatchesModule(): EngineModule & { service(): BatchService } {
  let batches: BatchService | null = null;
  let unsubscribe: (() => void) | null = null;
  const need = (): BatchService => {
    if (!batches) throw new Error('batches module used before init');
    return batches;
  };

  return {
    name: 'batches',
    service: need,
    init(ctx: ApiContext) {
      const service = new BatchService({
        store: new BatchStore(ctx.db), jobs: ctx.jobs, service: ctx.service, events: ctx.jobEvents, gallery: ctx.gallery, images: ctx.images,
        registry: ctx.registry, settings: ctx.settings, clock: ctx.clock, logger: ctx.logger, wildcardsDir: ctx.config.wildcardsDir,
        runAction: async (ids, action) => {
          // Each job gets the single-job action it fits; the others are left as they are.
          const fits: Record<BatchAction, (status: JobStatus) => boolean> = {
            cancel: (s) => !isFinishedStatus(s), retry: (s) => s === 'failed' || s === 'cancelled', hold: (s) => s === 'pending', release: (s) => s === 'held',
          };
          let changed = 0;
          for (const id of ids) {
            const row = ctx.jobs.get(id);
            if (!row || !fits[action](row.status)) continue;
            if (action === 'cancel') await ctx.service.cancel(id);
            else ctx.service[action](id);
            changed++;
          }
          return changed;
        },
      });
      batches = service;
      unsubscribe = ctx.bus.on((event) => {
        if ((event.type === 'job.finished' || event.type === 'job.updated') && event.job.batch_id && isFinishedStatus(event.job.status)) {
          service.jobEnded(event.job.mobilesd_job_id);
        }
      });
      void service.finishLeftovers();
    },
    routes: [(app) => registerBatchRoutes(app, need())],
    async stop() {
      unsubscribe?.();
      batches = null;
    },
  };
}
