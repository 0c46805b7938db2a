import { FINISHED_STATUSES, type JobSummary } from '../../../shared/jobs.ts';
import type { BatchView } from '../../../shared/batches.ts';
import type { EventBus } from '../event-bus.ts';
import type { JobRow } from './job-row.ts';
import type { JobStore } from './job-store.ts';
import { toJobSummary, type LiveProgress } from './job-view.ts';

/** Counting runs over the whole table, so a burst of changes publishes one queue.state. */
export const QUEUE_STATE_COALESCE_MS = 100;

/**
 * The one place a job's state change is announced. Whoever changes a job (the dispatcher,
 * the job service, the model downloads) tells this publisher, which emits the job's event,
 * a coalesced `queue.state`, and wakes whoever waits for queue changes (the dispatcher).
 * So a change cannot be stored without being published, or published without the
 * dispatcher looking at the queue again.
 */
export class JobEvents {
  readonly #jobs: JobStore;
  readonly #bus: EventBus;
  readonly #live: ReadonlyMap<string, LiveProgress>;
  readonly #isPaused: () => boolean;
  readonly #wakeListeners = new Set<() => void>();
  #queueStateTimer: NodeJS.Timeout | null = null;
  #waitReason: (row: JobRow) => string | null = () => null;

  constructor(deps: { jobs: JobStore; bus: EventBus; live: ReadonlyMap<string, LiveProgress>; isPaused: () => boolean }) {
    this.#jobs = deps.jobs;
    this.#bus = deps.bus;
    this.#live = deps.live;
    this.#isPaused = deps.isPaused;
  }

  /** Called after every published change (the dispatcher's kick); returns the unsubscribe. */
  onWake(listener: () => void): () => void {
    this.#wakeListeners.add(listener);
    return () => this.#wakeListeners.delete(listener);
  }

  /** Says why a pending job cannot start on any server now (see server-eligibility), for its summary. */
  setWaitReason(reason: (row: JobRow) => string | null): void {
    this.#waitReason = reason;
  }

  /** A job in the API's shape, with its images, live progress and, while pending, why it waits. */
  summary(row: JobRow): JobSummary {
    const summary = toJobSummary(row, this.#jobs.images(row.mobilesd_job_id), this.#live.get(row.mobilesd_job_id));
    return row.status === 'pending' ? { ...summary, wait_reason: this.#waitReason(row) } : summary;
  }

  /** A new job was stored. */
  created(row: JobRow): void {
    this.createdMany([row]);
  }

  /** New jobs were stored together (a batch, an import): an event each, and one wake for them all. */
  createdMany(rows: readonly JobRow[]): void {
    for (const row of rows) {
      // A new job has no images and no live progress yet.
      const job = toJobSummary(row, [], undefined);
      this.#bus.emit({ type: 'job.created', job: row.status === 'pending' ? { ...job, wait_reason: this.#waitReason(row) } : job });
    }
    this.queueChanged();
  }

  /** A job's row changed (claimed, moved, cancelled while waiting, retried, unparked). */
  changed(id: string): void {
    const row = this.#jobs.get(id);
    if (row) this.#bus.emit({ type: 'job.updated', job: this.summary(row) });
    this.queueChanged();
  }

  /** An attempt or a wait ended: `job.finished` when the job reached a final state, else `job.updated`. */
  settled(id: string): void {
    const row = this.#jobs.get(id);
    if (row) {
      const job = this.summary(row);
      this.#bus.emit(FINISHED_STATUSES.includes(row.status) ? { type: 'job.finished', job } : { type: 'job.updated', job });
    }
    this.queueChanged();
  }

  /** A job left the queue list. */
  deleted(id: string): void {
    this.#bus.emit({ type: 'job.deleted', job_id: id });
    this.queueChanged();
  }

  /** A batch's last job ended and its contact sheets are saved (the outbox has its notification already). */
  batchFinished(batch: BatchView): void {
    this.#bus.emit({ type: 'batch.finished', batch });
  }

  /** Live progress of a running job (not a state change: nothing to wake). */
  progress(id: string, live: LiveProgress): void {
    this.#bus.emit({
      type: 'job.progress', job_id: id, progress: Math.round(live.progress * 1000) / 10,
      eta_seconds: live.etaSeconds, step: live.step, steps: live.steps, has_preview: live.preview !== null,
      status_text: live.statusText,
    });
  }

  /** The queue as a whole changed (pause, resume, cleared, or any job change above). */
  queueChanged(): void {
    this.#scheduleQueueState();
    for (const wake of this.#wakeListeners) wake();
  }

  #scheduleQueueState(): void {
    if (this.#queueStateTimer) return;
    this.#queueStateTimer = setTimeout(() => {
      this.#queueStateTimer = null;
      this.#bus.emit({ type: 'queue.state', paused: this.#isPaused(), counts: this.#jobs.counts() });
    }, QUEUE_STATE_COALESCE_MS);
    this.#queueStateTimer.unref();
  }

  dispose(): void {
    if (this.#queueStateTimer) clearTimeout(this.#queueStateTimer);
    this.#queueStateTimer = null;
    this.#wakeListeners.clear();
  }
}
