/**
 * Hands the stores the live events in batches, one batch per short tick, instead of one
 * by one: every SSE message is its own browser task, so 5,000 job.created events (a
 * script filling the queue) meant 5,000 re-renders of the queue and a frozen tab. Within
 * one batch the stores change in one go and Vue renders once.
 *
 * A batch also drops what a later event in the same batch makes moot (see coalesce).
 */
import type { EngineEvent } from '../../../shared/events.ts';
import { coalesce } from '../../../shared/live-coalesce.ts';

/** Long enough to gather a burst, short enough that a progress bar still moves smoothly. */
export const EVENT_BATCH_MS = 50;
/** The longest wait between batches when applying them is slow (a weak phone, a huge burst). */
export const EVENT_BATCH_MAX_MS = 1000;
/** Applying a batch may take at most about 1/(1+this) of the main thread; input gets the rest. */
const IDLE_PER_BUSY = 3;

export interface BatchTimers {
  setTimeout(fn: () => void, ms: number): unknown;
}

export class EventBatcher {
  private pending: EngineEvent[] = [];
  private scheduled = false;
  /** How long the last batch took to apply and render (ms). */
  private lastCostMs = 0;
  private readonly deliver: (event: EngineEvent) => void;
  private readonly timers: BatchTimers;
  private readonly now: () => number;

  constructor(deliver: (event: EngineEvent) => void, timers: BatchTimers = globalThis, now: () => number = () => performance.now()) {
    this.deliver = deliver;
    this.timers = timers;
    this.now = now;
  }

  /** The wait before the next batch: the base tick, longer while batches are slow to apply. */
  get delayMs(): number {
    return Math.min(EVENT_BATCH_MAX_MS, Math.max(EVENT_BATCH_MS, this.lastCostMs * IDLE_PER_BUSY));
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
    if (!batch.length) return;
    const started = this.now();
    for (const event of batch) this.deliver(event);
    // Vue renders in a microtask queued by the first change above, so this one runs after it.
    queueMicrotask(() => (this.lastCostMs = this.now() - started));
  }
}
