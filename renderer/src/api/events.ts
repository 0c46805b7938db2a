import { ENGINE_EVENT_TYPES } from '../../../shared/events.ts';
import type { EngineEvent } from '../../../shared/events.ts';

/** The part of EventSource the stream uses, so tests can inject a fake. */
export interface EventSourceLike {
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

export type StreamStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

export interface EventStreamOptions {
  url: string;
  factory?: EventSourceFactory;
  onEvent: (event: EngineEvent) => void;
  onStatus?: (status: StreamStatus) => void;
  /** Called on every successful (re)open after the first: state may have been missed. */
  onReconnect?: () => void;
  /** The server's keep-alive arrived (the stream is open but quiet). */
  onHeartbeat?: () => void;
  /** Silence longer than this (no event, no heartbeat) means the stream is stalled: reopen it. */
  stallMs?: number;
  /** Backoff bounds, ms. */
  minDelay?: number;
  maxDelay?: number;
  timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
  random?: () => number;
}

/** The server's keep-alive event name (sent every 15 s on /api/v1/events). */
export const HEARTBEAT_EVENT = 'heartbeat';

/**
 * SSE with our own reconnect: on error the source is closed and reopened after an
 * exponential backoff with jitter (1s, 2s, 4s … 30s); a reopen triggers onReconnect so
 * the stores refetch what they missed. A stream that goes silent (no event and no
 * heartbeat for stallMs) is treated as dropped, so "open" never means a dead socket.
 */
export class EventStream {
  private source: EventSourceLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stallTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private everOpened = false;
  private stopped = true;
  status: StreamStatus = 'idle';

  private readonly opts: Required<Omit<EventStreamOptions, 'onStatus' | 'onReconnect' | 'onHeartbeat' | 'factory'>> &
    Pick<EventStreamOptions, 'onStatus' | 'onReconnect' | 'onHeartbeat'> & { factory: EventSourceFactory };

  constructor(options: EventStreamOptions) {
    const factory =
      options.factory ??
      ((url: string) => new EventSource(url, { withCredentials: false }) as unknown as EventSourceLike);
    this.opts = {
      minDelay: 1000,
      stallMs: 40_000,
      maxDelay: 30_000,
      timers: { setTimeout: globalThis.setTimeout.bind(globalThis), clearTimeout: globalThis.clearTimeout.bind(globalThis) },
      random: Math.random,
      ...options,
      factory,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.opts.timers.clearTimeout(this.timer);
    this.timer = null;
    this.clearStall();
    this.source?.close();
    this.source = null;
    this.setStatus('idle');
  }

  /**
   * Reconnect now if waiting out a backoff (the tab became visible again, the network came
   * back). A source that is open or still connecting is left alone: replacing it would
   * leave the old one connected unseen, holding one of the browser's six connections per
   * host for as long as the page lives.
   */
  kick(): void {
    if (this.stopped || this.source) return;
    if (this.timer) this.opts.timers.clearTimeout(this.timer);
    this.timer = null;
    this.open();
  }

  private setStatus(status: StreamStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.opts.onStatus?.(status);
  }

  /** (Re)start the silence watchdog: called on connecting, on open and on everything the server sends. */
  private armStall(source: EventSourceLike): void {
    this.clearStall();
    this.stallTimer = this.opts.timers.setTimeout(() => {
      this.stallTimer = null;
      if (this.source !== source) return;
      source.close();
      this.source = null;
      this.scheduleReconnect();
    }, this.opts.stallMs);
  }

  private clearStall(): void {
    if (this.stallTimer) this.opts.timers.clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  private open(): void {
    this.setStatus(this.everOpened || this.attempts > 0 ? 'reconnecting' : 'connecting');
    let source: EventSourceLike;
    try {
      source = this.opts.factory(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.source = source;
    // A connection attempt that hangs (a stalled proxy, a starved server) is given up like a silent stream.
    this.armStall(source);
    source.onopen = () => {
      if (this.source !== source) return;
      const wasOpened = this.everOpened;
      this.everOpened = true;
      this.attempts = 0;
      this.armStall(source);
      this.setStatus('open');
      if (wasOpened) this.opts.onReconnect?.();
    };
    source.onerror = () => {
      if (this.source !== source) return;
      this.clearStall();
      source.close();
      this.source = null;
      this.scheduleReconnect();
    };
    source.addEventListener(HEARTBEAT_EVENT, () => {
      if (this.source !== source) return;
      this.armStall(source);
      this.opts.onHeartbeat?.();
    });
    for (const type of ENGINE_EVENT_TYPES) {
      source.addEventListener(type, (ev: MessageEvent) => {
        if (this.source !== source) return;
        this.armStall(source);
        const event = parseEvent(type, ev.data);
        if (event) this.opts.onEvent(event);
      });
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setStatus('reconnecting');
    const base = Math.min(this.opts.maxDelay, this.opts.minDelay * 2 ** this.attempts);
    const delay = Math.round(base * (0.75 + this.opts.random() * 0.5));
    this.attempts++;
    // A drop after a successful open means we may have missed events.
    this.timer = this.opts.timers.setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, delay);
  }
}

export function parseEvent(type: string, data: unknown): EngineEvent | null {
  if (typeof data !== 'string') return null;
  try {
    const parsed = JSON.parse(data) as Record<string, unknown>;
    if (!parsed || typeof parsed !== 'object') return null;
    return { ...parsed, type } as EngineEvent;
  } catch {
    return null;
  }
}
