/**
 * Native notifications, decided from engine events: one when a job completes or fails,
 * and one when the queue has run empty after two or more jobs (debounced, so a queue
 * refilled within seconds does not notify). Produces plain payloads; the shell turns them into Electron Notifications.
 * Which of the three the user wants is asked per kind, at the moment of notifying.
 */
import type { EngineEvent } from '../../shared/events.ts';
import type { JobSummary } from '../../shared/jobs.ts';
import type { Settings } from '../engine/queue/settings-store.ts';
import { pendingCount, runningCount, type QueueSnapshot } from './tray-menu.ts';

export const NOTIFICATION_KINDS = ['job-completed', 'job-failed', 'queue-empty'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type NotificationChoices = Readonly<Record<NotificationKind, boolean>>;

/**
 * The desktop notifications the user wants, from the engine settings the Settings page
 * saves: one switch for all three today. Per-event settings change only this function.
 */
export function desktopNotificationChoices(settings: Pick<Settings, 'notifications_enabled'>): NotificationChoices {
  const on = settings.notifications_enabled;
  return { 'job-completed': on, 'job-failed': on, 'queue-empty': on };
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
      kind: 'job-completed',
      title: `Job completed on ${server}`,
      body: `${prompt}\n${images}`,
      jobId: job.mobilesd_job_id,
      imageId: job.first_image_id,
    };
  }
  if (job.status === 'failed') {
    const reason = promptExcerpt(job.error_message, 120) || 'Unknown error';
    return {
      kind: 'job-failed',
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
 * Feeds on engine events (job.finished) and queue snapshots (counts + paused). The
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

  constructor(options: JobNotifierOptions) {
    this.#options = options;
    this.#timers = options.timers ?? {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
  }

  handleEvent(event: EngineEvent): void {
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
    if (completed + failed < 2 || !this.#options.wants('queue-empty')) return;
    const parts = [`${completed} completed`];
    if (failed) parts.push(`${failed} failed`);
    this.#options.notify({
      kind: 'queue-empty',
      title: 'Queue finished',
      body: `All jobs are done: ${parts.join(', ')}.`,
      jobId: null,
      imageId: null,
    });
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
