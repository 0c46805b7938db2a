/**
 * The queue as the tray and the notifier see it: counts and the pause state, read again
 * shortly after a job or queue event. Bursts of events (a batch submitted, a server
 * finishing several jobs) are folded into one read.
 */
import type { EngineEvent } from '../../shared/events.ts';
import type { Engine } from '../engine/engine-types.ts';
import type { TimerApi } from './job-notifications.ts';
import type { QueueSnapshot } from './tray-menu.ts';

export const QUEUE_REFRESH_DELAY_MS = 150;

export type QueueSource = Pick<Engine, 'onEvent' | 'queueCounts' | 'isPaused'>;

export function queueSnapshot(engine: QueueSource): QueueSnapshot {
  return { counts: engine.queueCounts(), paused: engine.isPaused() };
}

/** Events that can change the counts or the pause state (progress ticks cannot). */
export function changesQueue(event: EngineEvent): boolean {
  return (event.type.startsWith('job.') && event.type !== 'job.progress') || event.type === 'queue.state';
}

/** Calls `onChange` with a fresh snapshot after queue-changing events; returns the unsubscribe function. */
export function watchQueue(
  engine: QueueSource,
  onChange: (snapshot: QueueSnapshot) => void,
  timers: TimerApi = { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) },
): () => void {
  let pending: unknown = null;
  const off = engine.onEvent((event) => {
    if (!changesQueue(event) || pending !== null) return;
    pending = timers.setTimeout(() => {
      pending = null;
      onChange(queueSnapshot(engine));
    }, QUEUE_REFRESH_DELAY_MS);
  });
  return () => {
    off();
    if (pending !== null) timers.clearTimeout(pending);
    pending = null;
  };
}
