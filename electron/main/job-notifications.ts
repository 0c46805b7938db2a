/**
 * Native notifications, decided from engine events: a job completed or failed, the queue
 * ran empty after two or more jobs (debounced, so a queue refilled within seconds does not
 * notify), a batch finished, a server went offline or came back, a model download finished. Produces plain
 * payloads; the shell turns them into Electron Notifications. The kinds are the engine's
 * notification events, so the desktop follows the same per-event choices as every other
 * target; which ones the user wants is asked at the moment of notifying.
 */
import type { BatchView } from '../../shared/batches.ts';
import type { EngineEvent } from '../../shared/events.ts';
import type { JobSummary } from '../../shared/jobs.ts';
import type { NotifyEvent } from '../../shared/notifications.ts';
import type { Settings } from '../engine/queue/settings-store.ts';
import { pendingCount, runningCount, type QueueSnapshot } from './tray-menu.ts';

export type NotificationKind = NotifyEvent;

/** Whether the user wants the desktop to show this kind: the master switch and the per-event choice. */
export function desktopWants(settings: Pick<Settings, 'notifications_enabled' | 'desktop_notify_events'>, kind: NotificationKind): boolean {
  return settings.notifications_enabled && settings.desktop_notify_events.includes(kind);
}

export interface NotificationPayload {
  kind: NotificationKind;
  title: string;
  body: string;
  /** The job a click opens (/queue?job=<id>); null opens the queue. */
  jobId: string | null;
  /** The image whose thumbnail becomes the icon. */
  imageId: number | null;
}

export const QUEUE_EMPTY_DELAY_MS = 5_000;

/** A prompt shortened for a notification body: one line, at most `max` characters. */
export function promptExcerpt(prompt: string | null | undefined, max = 90): string {
  const line = (prompt ?? '').replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  return `${line.slice(0, max - 1).trimEnd()}…`;
}

/** The notification for a finished job, or null (cancelled jobs do not notify). */
export function jobNotification(job: JobSummary): NotificationPayload | null {
  const prompt = promptExcerpt(job.positive_prompt) || '(no prompt)';
  const server = job.assigned_server_alias ?? job.target_server_alias;
  if (job.status === 'completed') {
    const images = job.image_count === 1 ? '1 image' : `${job.image_count} images`;
    return {
      kind: 'job.finished',
      title: `Job completed on ${server}`,
      body: `${prompt}\n${images}`,
      jobId: job.mobilesd_job_id,
      imageId: job.first_image_id,
    };
  }
  if (job.status === 'failed') {
    const reason = promptExcerpt(job.error_message, 120) || 'Unknown error';
    return {
      kind: 'job.failed',
      title: `Job failed on ${server}`,
      body: `${reason}\n${prompt}`,
      jobId: job.mobilesd_job_id,
      imageId: null,
    };
  }
  return null;
}

export interface TimerApi {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface JobNotifierOptions {
  notify(payload: NotificationPayload): void;
  /** Whether the user wants this kind of notification, asked at the moment of notifying. */
  wants(kind: NotificationKind): boolean;
  timers?: TimerApi;
  queueEmptyDelayMs?: number;
}

/**
 * Feeds on engine events (jobs, servers, downloads) and queue snapshots (counts + paused). The
 * queue-empty notice needs work to have happened since the last one, so an idle app at
 * start does not announce an empty queue.
 */
export class JobNotifier {
  readonly #options: JobNotifierOptions;
  readonly #timers: TimerApi;
  readonly #notified = new Set<string>();
  #timer: unknown = null;
  #completed = 0;
  #failed = 0;
  #sawWork = false;
  readonly #serverHealth = new Map<string, string>();
  readonly #downloadStatus = new Map<string, string>();

  constructor(options: JobNotifierOptions) {
    this.#options = options;
    this.#timers = options.timers ?? {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
  }

  handleEvent(event: EngineEvent): void {
    if (event.type === 'server.status') return this.#serverStatus(event.server.alias, event.server.status);
    if (event.type === 'download.updated') return this.#download(event.download.id, event.download.status, event.download.file_name);
    if (event.type === 'batch.finished') return this.#batch(event.batch);
    if (event.type !== 'job.finished') return;
    const { job } = event;
    if (this.#notified.has(job.mobilesd_job_id)) return;
    this.#remember(job.mobilesd_job_id);
    if (job.status === 'completed') this.#completed++;
    else if (job.status === 'failed') this.#failed++;
    this.#sawWork = true;
    const payload = jobNotification(job);
    if (payload && this.#options.wants(payload.kind)) this.#options.notify(payload);
  }

  /** Call with the current counts after any job or queue event. */
  handleQueueSnapshot(snapshot: QueueSnapshot): void {
    const active = pendingCount(snapshot.counts) + runningCount(snapshot.counts);
    if (active > 0) {
      this.#sawWork = true;
      this.#cancelTimer();
      return;
    }
    if (!this.#sawWork || this.#timer !== null) return;
    this.#timer = this.#timers.setTimeout(() => this.#queueEmpty(), this.#options.queueEmptyDelayMs ?? QUEUE_EMPTY_DELAY_MS);
  }

  dispose(): void {
    this.#cancelTimer();
  }

  #queueEmpty(): void {
    this.#timer = null;
    const completed = this.#completed;
    const failed = this.#failed;
    this.#completed = 0;
    this.#failed = 0;
    this.#sawWork = false;
    // A single job already had its own notification; "queue finished" is for a batch.
    if (completed + failed < 2 || !this.#options.wants('queue.drained')) return;
    const parts = [`${completed} completed`];
    if (failed) parts.push(`${failed} failed`);
    this.#options.notify({
      kind: 'queue.drained',
      title: 'Queue finished',
      body: `All jobs are done: ${parts.join(', ')}.`,
      jobId: null,
      imageId: null,
    });
  }

  // The first status seen for a server is where it stands at start, not a change.
  #serverStatus(alias: string, status: string): void {
    const before = this.#serverHealth.get(alias);
    this.#serverHealth.set(alias, status);
    if (before === undefined) return;
    const kind = status === 'offline' && before !== 'offline' ? 'server.offline' : status !== 'offline' && before === 'offline' ? 'server.online' : null;
    if (!kind || !this.#options.wants(kind)) return;
    this.#options.notify({
      kind,
      title: kind === 'server.offline' ? `${alias} is offline` : `${alias} is back online`,
      body: kind === 'server.offline' ? 'Its jobs wait until it returns or another server can take them.' : 'Waiting jobs can run on it again.',
      jobId: null,
      imageId: null,
    });
  }

  #batch(batch: BatchView): void {
    if (!this.#options.wants('batch.finished')) return;
    const { completed = 0, failed = 0, cancelled = 0 } = batch.counts as Partial<Record<string, number>>;
    const parts = [`${completed} completed`, failed ? `${failed} failed` : '', cancelled ? `${cancelled} cancelled` : ''].filter(Boolean);
    this.#options.notify({
      kind: 'batch.finished',
      title: `Batch finished${batch.name ? `: ${promptExcerpt(batch.name, 60)}` : ''}`,
      body: `${batch.job_count} jobs: ${parts.join(', ')}.${batch.contact_sheets.length ? ' The contact sheet is ready.' : ''}`,
      jobId: null,
      imageId: batch.contact_sheets[0]?.image_id ?? null,
    });
  }

  #download(id: string, status: string, fileName: string): void {
    const before = this.#downloadStatus.get(id);
    this.#downloadStatus.set(id, status);
    if (status !== 'completed' || before === 'completed' || !this.#options.wants('download.finished')) return;
    this.#options.notify({ kind: 'download.finished', title: 'Download finished', body: fileName, jobId: null, imageId: null });
  }

  #cancelTimer(): void {
    if (this.#timer === null) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  // Only recent ids matter (an event is never replayed much later); keep the set small.
  #remember(id: string): void {
    this.#notified.add(id);
    if (this.#notified.size > 500) {
      const oldest = this.#notified.values().next().value;
      if (oldest !== undefined) this.#notified.delete(oldest);
    }
  }
}

/** The window route a notification click opens (the UI's router uses paths, not #hashes). */
export function routeForNotification(payload: Pick<NotificationPayload, 'jobId'>): string {
  return payload.jobId ? `queue?job=${encodeURIComponent(payload.jobId)}` : 'queue';
}
