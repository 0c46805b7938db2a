import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { EngineEvent } from '../../../shared/events.ts';
import {
  ACTIVE_STATUSES, FINISHED_STATUSES, RUNNING_STATUSES, isWaitingStatus, type JobStatus, type JobSummary, type ReorderRequest,
} from '../../../shared/jobs.ts';
import type { BulkRequest, BulkResponse } from '../../../shared/queue-bulk.ts';
import { queueToolsApi } from '../api/queue-tools.ts';
import type { AppType } from '../../../shared/servers.ts';
import { useApi } from '../api/client.ts';
import { optimistic } from '../composables/optimistic.ts';
import { placementAfterMove } from '../lib/move-placement.ts';
import { useLive } from './live.ts';

export type StatusFilter = 'active' | 'pending' | 'held' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'all';
export type AppFilter = 'all' | AppType;


export function statusesFor(filter: StatusFilter): JobStatus[] | undefined {
  switch (filter) {
    case 'active':
      return [...ACTIVE_STATUSES];
    case 'processing':
      return [...RUNNING_STATUSES];
    case 'all':
      return undefined;
    default:
      return [filter];
  }
}

export function isRunning(job: Pick<JobSummary, 'status'>): boolean {
  return RUNNING_STATUSES.includes(job.status);
}
export function isFinished(job: Pick<JobSummary, 'status'>): boolean {
  return FINISHED_STATUSES.includes(job.status);
}

function group(job: JobSummary): number {
  if (RUNNING_STATUSES.includes(job.status)) return 0;
  // A held job keeps its place in line: it sorts among the pending ones.
  if (isWaitingStatus(job.status)) return 1;
  return 2;
}

/** Queue display order: running, then pending (priority high→low, then position), then finished (newest first). */
export function compareJobs(a: JobSummary, b: JobSummary): number {
  const ga = group(a);
  const gb = group(b);
  if (ga !== gb) return ga - gb;
  if (ga === 0) return (a.started_timestamp ?? '').localeCompare(b.started_timestamp ?? '');
  if (ga === 1) {
    if (a.priority !== b.priority) return b.priority - a.priority;
    if (a.position !== b.position) return a.position - b.position;
    return a.creation_timestamp.localeCompare(b.creation_timestamp);
  }
  const ta = a.completion_timestamp ?? a.last_updated_timestamp;
  const tb = b.completion_timestamp ?? b.last_updated_timestamp;
  return tb.localeCompare(ta);
}

export interface LiveProgress {
  step: number | null;
  steps: number | null;
  has_preview: boolean;
  /** bumps on every progress event: cache-buster for the preview image */
  tick: number;
}

export const useJobs = defineStore('jobs', () => {
  const api = useApi();
  const tools = queueToolsApi();
  const byId = ref<Record<string, JobSummary>>({});
  const live = ref<Record<string, LiveProgress>>({});
  const statusFilter = ref<StatusFilter>('active');
  const appFilter = ref<AppFilter>('all');
  /** The queue's search box: a job id or words of the prompt ('' = everything). */
  const search = ref('');
  const total = ref(0);
  const paused = ref(false);
  const counts = ref<Record<string, number>>({});
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<unknown>(null);
  const pageSize = ref(100);
  /** How many rows of the current filter the list has asked for (its pages so far). */
  const windowSize = ref(0);
  let fetchSeq = 0;

  function matches(job: JobSummary, status = statusFilter.value, app = appFilter.value): boolean {
    const statuses = statusesFor(status);
    if (statuses && !statuses.includes(job.status)) return false;
    if (app !== 'all' && job.app_type !== app) return false;
    const q = search.value.trim().toLowerCase();
    if (q && job.mobilesd_job_id !== q && !(job.positive_prompt ?? '').toLowerCase().includes(q)) return false;
    return true;
  }

  const all = computed(() => Object.values(byId.value).sort(compareJobs));
  const visible = computed(() => all.value.filter((j) => matches(j)));
  const pending = computed(() => all.value.filter((j) => j.status === 'pending'));
  const activeCount = computed(
    () => ACTIVE_STATUSES.reduce((sum, s) => sum + (counts.value[s] ?? 0), 0),
  );

  function upsert(job: JobSummary): void {
    const prev = byId.value[job.mobilesd_job_id];
    // An older snapshot must not overwrite a newer one (events and fetches can cross).
    if (prev && prev.last_updated_timestamp > job.last_updated_timestamp && !isFinished(job)) return;
    byId.value[job.mobilesd_job_id] = prev && isRunning(job) && job.progress < prev.progress && prev.status === job.status
      ? { ...job, progress: prev.progress, eta_seconds: prev.eta_seconds }
      : job;
  }

  function remove(id: string): void {
    delete byId.value[id];
    delete live.value[id];
  }

  async function fetchJobs(opts: { append?: boolean } = {}): Promise<void> {
    const seq = ++fetchSeq;
    const status = statusFilter.value;
    const app = appFilter.value;
    loading.value = true;
    try {
      const offset = opts.append ? visible.value.length : 0;
      const res = await api.listJobs({
        status: statusesFor(status),
        app_type: app === 'all' ? undefined : app,
        q: search.value.trim() || undefined,
        limit: pageSize.value,
        offset,
      });
      if (seq !== fetchSeq) return;
      if (!opts.append) {
        const fresh = new Set(res.jobs.map((j) => j.mobilesd_job_id));
        // Jobs that match this filter but were not returned are gone (or beyond the page).
        for (const job of Object.values(byId.value)) {
          if (matches(job, status, app) && !fresh.has(job.mobilesd_job_id)) remove(job.mobilesd_job_id);
        }
      }
      for (const job of res.jobs) byId.value[job.mobilesd_job_id] = job;
      total.value = res.total;
      windowSize.value = offset + pageSize.value;
      paused.value = res.paused;
      counts.value = res.counts ?? {};
      loaded.value = true;
      error.value = null;
    } catch (err) {
      if (seq === fetchSeq) error.value = err;
      throw err;
    } finally {
      if (seq === fetchSeq) loading.value = false;
    }
  }

  async function refreshState(): Promise<void> {
    const state = await api.queueState();
    paused.value = state.paused;
    counts.value = state.counts ?? {};
  }

  /** Fetch one job (e.g. the Generate tab's last job) into the store. */
  async function track(id: string): Promise<void> {
    try {
      // Through upsert: a fast job's job.finished event may already have landed, and this
      // older answer must not overwrite it.
      upsert(await api.job(id));
    } catch {
      /* the job may be gone; nothing to show */
    }
  }

  /**
   * A new job that sorts after the last row of a full window belongs to a page not loaded
   * yet: it is counted, not added, so 5,000 jobs created by a script do not become 5,000
   * rows of a list that shows its first page (the rows load as the list is scrolled). One
   * outside the list's filter (or search) is left out too: the list reloads when the
   * filter changes, and a job shown elsewhere is fetched there (track).
   */
  function countNew(job: JobSummary): 'add' | 'count' {
    if (!loaded.value || byId.value[job.mobilesd_job_id]) return 'add';
    if (!matches(job)) return 'count';
    const rows = visible.value;
    const last = rows[rows.length - 1];
    total.value++;
    return rows.length >= windowSize.value && last && compareJobs(job, last) > 0 ? 'count' : 'add';
  }

  /** Apply one SSE event. Events arrive in order; each handler is idempotent. */
  function applyEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'job.created':
        if (countNew(event.job) === 'count') break;
        upsert(event.job);
        break;
      case 'job.updated':
      case 'job.finished':
        upsert(event.job);
        if (event.type === 'job.finished') {
          const l = live.value[event.job.mobilesd_job_id];
          if (l) l.has_preview = false;
        }
        break;
      case 'job.progress': {
        const job = byId.value[event.job_id];
        if (job) {
          byId.value[event.job_id] = {
            ...job,
            status: job.status === 'pending' ? 'processing' : job.status,
            progress: event.progress,
            eta_seconds: event.eta_seconds,
            status_text: event.status_text ?? null,
          };
        }
        const prev = live.value[event.job_id];
        live.value[event.job_id] = {
          step: event.step,
          steps: event.steps,
          has_preview: event.has_preview,
          tick: (prev?.tick ?? 0) + 1,
        };
        break;
      }
      case 'job.deleted': {
        const known = byId.value[event.job_id];
        if (known && loaded.value && matches(known)) total.value = Math.max(0, total.value - 1);
        remove(event.job_id);
        break;
      }
      case 'queue.state':
        paused.value = event.paused;
        counts.value = event.counts ?? {};
        break;
      default:
        break;
    }
  }

  function setFilters(status: StatusFilter, app: AppFilter, text = search.value): Promise<void> {
    statusFilter.value = status;
    appFilter.value = app;
    search.value = text;
    return fetchJobs();
  }

  // ---- actions (the server's events confirm each change)

  /** Where a moved job lands locally: between its new neighbours, in their priority group. */
  function placeLocally(id: string, req: ReorderRequest): void {
    const job = byId.value[id];
    if (job) {
      const others = pending.value.filter((j) => j.mobilesd_job_id !== id);
      const { priority, position } = placementAfterMove(job, others, req);
      byId.value[id] = { ...job, priority, position };
    }
  }

  /**
   * Move a pending job. Optimistic: the job takes its new neighbours' priority and a
   * position between them, so the list reorders at once; the server's job.updated
   * events then bring the true values.
   */
  async function move(id: string, req: ReorderRequest): Promise<void> {
    const before = byId.value[id] ? { ...byId.value[id]! } : null;
    await optimistic(
      () => {
        placeLocally(id, req);
        return () => {
          if (before) byId.value[id] = before;
        };
      },
      async () => {
        // The engine dispatches by priority, then position: a move across priority groups
        // takes the new neighbours' priority first, so the job really runs where it was put.
        const wanted = byId.value[id]?.priority;
        if (before && wanted !== undefined && wanted !== before.priority) await api.setJobPriority(id, wanted);
        await api.reorderJob(id, req);
      },
    );
  }

  async function setPriority(id: string, priority: number): Promise<void> {
    await optimistic(
      () => {
        const job = byId.value[id];
        const old = job?.priority;
        if (job) byId.value[id] = { ...job, priority };
        return () => {
          const cur = byId.value[id];
          if (cur && old !== undefined) byId.value[id] = { ...cur, priority: old };
        };
      },
      () => api.setJobPriority(id, priority),
    );
  }

  async function cancel(id: string): Promise<void> {
    await api.cancelJob(id);
  }

  async function retry(id: string): Promise<void> {
    await api.retryJob(id);
  }

  async function hold(id: string): Promise<void> {
    upsert(await tools.hold(id));
  }

  async function release(id: string): Promise<void> {
    upsert(await tools.release(id));
  }

  /** One action on many jobs; the list is read again after (a filter may reach jobs not loaded here). */
  async function bulk(req: BulkRequest): Promise<BulkResponse> {
    const res = await tools.bulk(req);
    await fetchJobs();
    return res;
  }

  async function requeue(id: string): Promise<string> {
    const res = await api.requeueJob(id);
    return res.mobilesd_job_id;
  }

  async function deleteJob(id: string): Promise<void> {
    await optimistic(
      () => {
        const job = byId.value[id];
        remove(id);
        return () => {
          if (job) byId.value[id] = job;
        };
      },
      () => api.deleteJob(id),
    );
  }

  async function setPaused(value: boolean): Promise<void> {
    await optimistic(
      () => {
        const old = paused.value;
        paused.value = value;
        return () => (paused.value = old);
      },
      async () => {
        const state = value ? await api.pauseQueue() : await api.resumeQueue();
        if (state && typeof state.paused === 'boolean') {
          paused.value = state.paused;
          if (state.counts) counts.value = state.counts;
        }
      },
    );
  }

  async function clearFinished(): Promise<number> {
    const res = await api.clearFinished();
    for (const job of Object.values(byId.value)) if (isFinished(job)) remove(job.mobilesd_job_id);
    return res?.cleared ?? 0;
  }

  const events = useLive();
  events.on(applyEvent);
  events.onResync(() => (loaded.value ? fetchJobs() : refreshState()));

  return {
    byId, live, statusFilter, appFilter, total, paused, counts, loading, loaded, error, pageSize,
    all, visible, pending, activeCount,
    search, fetchJobs, refreshState, track, applyEvent, setFilters, upsert,
    move, setPriority, cancel, retry, hold, release, bulk, requeue, deleteJob, setPaused, clearFinished,
  };
});
