/**
 * Hands the stores the live events in batches, one batch per short tick, instead of one
 * by one: every SSE message is its own browser task, so 5,000 job.created events (a
 * script filling the queue) meant 5,000 re-renders of the queue and a frozen tab. Within
 * one batch the stores change in one go and Vue renders once.
 *
 * A batch also drops what a later event in the same batch makes moot: a job.progress
 * followed by another job.progress of the same job, and a job.updated followed by another
 * job.updated (or job.finished) of the same job, each with nothing else about that job in
 * between (every job event carries the whole snapshot or the whole progress, so the later
 * one says everything). Every other event is delivered as it came, in order.
 */
import type { EngineEvent } from '../../../shared/events.ts';

/** Long enough to gather a burst, short enough that a progress bar still moves smoothly. */
export const EVENT_BATCH_MS = 50;

export interface BatchTimers {
  setTimeout(fn: () => void, ms: number): unknown;
}

type Kind = 'snapshot' | 'progress' | 'other';

function jobOf(event: EngineEvent): { id: string; kind: Kind } | null {
  switch (event.type) {
    case 'job.progress':
      return { id: event.job_id, kind: 'progress' };
    case 'job.updated':
    case 'job.finished':
      return { id: event.job.mobilesd_job_id, kind: 'snapshot' };
    case 'job.created':
      return { id: event.job.mobilesd_job_id, kind: 'other' };
    case 'job.deleted':
      return { id: event.job_id, kind: 'other' };
    default:
      return null;
  }
}

/** The events of one batch without the superseded ones, in their original order. */
export function coalesce(events: readonly EngineEvent[]): EngineEvent[] {
  const nextKindOf = new Map<string, Kind>();
  const kept: EngineEvent[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    const job = jobOf(event);
    if (job) {
      const later = nextKindOf.get(job.id);
      nextKindOf.set(job.id, job.kind);
      // only job.updated and job.progress give way; created/finished/deleted carry meaning of their own
      const supersedable = event.type === 'job.updated' || event.type === 'job.progress';
      if (supersedable && later === job.kind) continue;
    }
    kept.push(event);
  }
  return kept.reverse();
}

export class EventBatcher {
  private pending: EngineEvent[] = [];
  private scheduled = false;
  private readonly deliver: (event: EngineEvent) => void;
  private readonly timers: BatchTimers;
  private readonly delayMs: number;

  constructor(deliver: (event: EngineEvent) => void, timers: BatchTimers = globalThis, delayMs = EVENT_BATCH_MS) {
    this.deliver = deliver;
    this.timers = timers;
    this.delayMs = delayMs;
  }

  push(event: EngineEvent): void {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    this.timers.setTimeout(() => this.flush(), this.delayMs);
  }

  /** Delivers everything waiting now (also used before a resync, so no event is applied after a refetch it predates). */
  flush(): void {
    this.scheduled = false;
    const batch = coalesce(this.pending);
    this.pending = [];
    for (const event of batch) this.deliver(event);
  }
}
