import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { DispatchStatsResponse } from '../../../shared/dispatch.ts';
import type { EngineEvent } from '../../../shared/events.ts';
import { dispatchApi } from '../api/dispatch.ts';
import { useLive } from './live.ts';

/** Waiting jobs whose start and end the Queue shows (its first pages). */
const FORECAST_JOBS = 200;
/** After a change, the numbers are fetched again at most this often. */
const REFRESH_MS = 2000;

/**
 * What smart dispatch learned and saved (per-server speed and model loads, loads saved) and
 * the queue forecast (each waiting job's expected start and end, when all will be done).
 * Refetched a moment after jobs change, since every start or finish moves the times.
 */
export const useDispatchStats = defineStore('dispatch-stats', () => {
  const api = dispatchApi();
  const data = ref<DispatchStatsResponse | null>(null);
  const byJob = computed(() => new Map((data.value?.forecast ?? []).map((f) => [f.mobilesd_job_id, f])));
  const byServer = computed(() => new Map((data.value?.servers ?? []).map((s) => [s.alias, s])));
  let timer: ReturnType<typeof setTimeout> | null = null;
  let users = 0;

  async function refresh(): Promise<void> {
    data.value = await api.stats(FORECAST_JOBS);
  }

  function refreshSoon(): void {
    if (timer || users === 0) return;
    timer = setTimeout(() => {
      timer = null;
      refresh().catch(() => undefined);
    }, REFRESH_MS);
  }

  function onEvent(event: EngineEvent): void {
    if (event.type === 'job.created' || event.type === 'job.updated' || event.type === 'job.finished' || event.type === 'job.deleted' || event.type === 'queue.state') refreshSoon();
  }

  const live = useLive();
  live.on(onEvent);
  live.onResync(() => (users > 0 ? refresh() : Promise.resolve()));

  /** A view showing these numbers starts using them (fetched now); `release` when it goes. */
  function use(): () => void {
    users++;
    refresh().catch(() => undefined);
    return () => {
      users = Math.max(0, users - 1);
    };
  }

  return { data, byJob, byServer, refresh, use };
});
