/**
 * Batches and grids as an engine module: the batch service, its routes, and the watch on
 * job endings that finishes a batch (contact sheet, batch.finished) when its last job ends.
 */
import { isFinishedStatus } from '../../../shared/jobs.ts';
import { BULK_LIMITS } from '../../../shared/queue-bulk.ts';
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
        runAction: async (ids, action, apiKeyId) => {
          let changed = 0;
          // One bulk request holds a bounded number of ids; a bigger batch goes in slices.
          for (let i = 0; i < ids.length; i += BULK_LIMITS.ids) changed += (await ctx.service.bulk({ ids: ids.slice(i, i + BULK_LIMITS.ids), action }, { apiKeyId })).changed;
          return changed;
        },
      });
      batches = service;
      ctx.service.setBatchTransfer({ exported: (ids) => service.exported(ids), restore: (batch, owner) => service.restore(batch, owner) });
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
