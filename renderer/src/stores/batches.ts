import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { BatchAction, BatchView } from '../../../shared/batches.ts';
import { isFinishedStatus } from '../../../shared/jobs.ts';
import { batchesApi } from '../api/batches.ts';
import { useLive } from './live.ts';

/** How often one batch's progress is read again while its jobs change. */
const REFRESH_MS = 1000;

/**
 * Batches the Queue shows as groups: loaded when a group first appears, read again (at most
 * once a second each) while their jobs change, and replaced by the batch.finished event,
 * which carries the contact sheets.
 */
export const useBatches = defineStore('batches', () => {
  const byId = ref<Record<string, BatchView>>({});
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const loading = new Set<string>();

  async function load(id: string): Promise<void> {
    loading.add(id);
    try {
      byId.value[id] = await batchesApi().get(id);
    } catch {
      // A batch that cannot be read is shown by its jobs alone.
    } finally {
      loading.delete(id);
    }
  }

  /** Loads the batch unless it is known or on its way. */
  function ensure(id: string): void {
    if (!byId.value[id] && !loading.has(id)) void load(id);
  }

  function refreshSoon(id: string): void {
    if (pending.has(id) || !byId.value[id]) return;
    pending.set(id, setTimeout(() => {
      pending.delete(id);
      void load(id);
    }, REFRESH_MS));
  }

  async function act(id: string, action: BatchAction): Promise<number> {
    const result = await batchesApi().act(id, action);
    byId.value[id] = result.batch;
    return result.changed;
  }

  const live = useLive();
  live.on((event) => {
    if (event.type === 'batch.finished') byId.value[event.batch.batch_id] = event.batch;
    else if ((event.type === 'job.updated' || event.type === 'job.finished' || event.type === 'job.created') && event.job.batch_id) {
      // The last job's end is followed by batch.finished; any other change only moves the counts.
      if (!(isFinishedStatus(event.job.status) && byId.value[event.job.batch_id]?.status === 'finished')) refreshSoon(event.job.batch_id);
    }
  });
  live.onResync(() => Promise.all(Object.keys(byId.value).map(load)));

  return { byId, ensure, load, act };
});
