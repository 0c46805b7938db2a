/**
 * One live connection per browser, shared by all its tabs. Browsers allow six HTTP/1.1
 * connections per host; a stream per tab starves the third or fourth tab's requests. The
 * tab holding the Web Lock `stablequeue-live` is the leader: it alone opens the event
 * stream and relays every event and its status over a BroadcastChannel. When the leader
 * tab closes, the browser hands the lock to the next waiting tab, which opens the stream
 * and resyncs (events may have passed during the handover). Without Web Locks or
 * BroadcastChannel each tab keeps its own single stream.
 *
 * The stream lives strictly inside the lock: it is opened in the lock's callback and
 * closed before the lock is let go, and a follower never opens one of its own (not on a
 * timeout, not on an error), so two tabs can never both hold a stream.
 */
import type { EngineEvent } from '../../../shared/events.ts';
import { EventStream } from './events.ts';
import type { EventSourceFactory, StreamStatus } from './events.ts';

export type LiveRole = 'leader' | 'follower' | 'alone';

/** What the tabs say to each other. */
type LiveMessage =
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'status'; status: StreamStatus }
  | { kind: 'hello' }
  | { kind: 'kick' };

export interface ChannelLike {
  onmessage: ((ev: MessageEvent) => unknown) | null;
  postMessage(message: unknown): void;
  close(): void;
}

export interface LiveSharing {
  locks: Pick<LockManager, 'request'>;
  channel: (name: string) => ChannelLike;
}

export interface SharedLiveOptions {
  url: string;
  factory?: EventSourceFactory;
  /** null: this tab keeps its own stream. */
  sharing: LiveSharing | null;
  onEvent: (event: EngineEvent) => void;
  onStatus: (status: StreamStatus) => void;
  /** State may have been missed: refetch. */
  onReconnect: () => void;
  onRole?: (role: LiveRole) => void;
  /** A follower that hears nothing from the leader for this long stops claiming to be live. */
  stallMs?: number;
  timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
}

const LOCK_NAME = 'stablequeue-live';
const CHANNEL_NAME = 'stablequeue-live';

/** The browser's own primitives, or null where one is missing (old browsers, some webviews). */
export function browserSharing(): LiveSharing | null {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks || typeof BroadcastChannel === 'undefined') return null;
  return { locks, channel: (name) => new BroadcastChannel(name) };
}

export class SharedLive {
  private stream: EventStream | null = null;
  private channel: ChannelLike | null = null;
  private releaseLock: (() => void) | null = null;
  /** Withdraws a lock request still waiting in the queue (a stopped tab must not be granted it later). */
  private lockRequest: AbortController | null = null;
  private stallTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  role: LiveRole = 'alone';
  private readonly timers: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
  private readonly stallMs: number;
  private readonly opts: SharedLiveOptions;

  constructor(opts: SharedLiveOptions) {
    this.opts = opts;
    this.timers = opts.timers ?? {
      setTimeout: globalThis.setTimeout.bind(globalThis),
      clearTimeout: globalThis.clearTimeout.bind(globalThis),
    };
    this.stallMs = opts.stallMs ?? 45_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const sharing = this.opts.sharing;
    if (!sharing) {
      this.setRole('alone');
      this.openStream(false);
      return;
    }
    this.channel = sharing.channel(CHANNEL_NAME);
    this.channel.onmessage = (ev) => this.onMessage(ev.data as LiveMessage);
    this.becomeFollower();
    const request = new AbortController();
    this.lockRequest = request;
    void sharing.locks
      .request(LOCK_NAME, { signal: request.signal }, () => new Promise<void>((resolve) => {
        if (this.stopped || this.lockRequest !== request) return resolve();
        this.releaseLock = resolve;
        this.becomeLeader();
      }))
      .catch((err: unknown) => {
        // Only a refusal of locks altogether (an opaque origin) means no tab can lead: then
        // this tab keeps its own stream. An aborted request (stop) or a document going away
        // is not that, and must never open a second stream beside the lock holder's.
        if ((err as { name?: string } | null)?.name !== 'SecurityError') return;
        if (!this.stopped && this.lockRequest === request && this.role === 'follower') {
          this.clearStall();
          this.setRole('alone');
          this.openStream(true);
        }
      });
  }

  stop(): void {
    this.stopped = true;
    this.clearStall();
    // The stream closes before the lock is let go: the next holder opens its own only then.
    this.stream?.stop();
    this.stream = null;
    this.releaseLock?.();
    this.releaseLock = null;
    this.lockRequest?.abort();
    this.lockRequest = null;
    this.channel?.close();
    this.channel = null;
  }

  /** Reconnect now if not live (the tab became visible, the network came back). */
  kick(): void {
    if (this.stream) this.stream.kick();
    else this.post({ kind: 'kick' });
  }

  private setRole(role: LiveRole): void {
    this.role = role;
    this.opts.onRole?.(role);
  }

  private becomeFollower(): void {
    this.setRole('follower');
    this.opts.onStatus('connecting');
    this.post({ kind: 'hello' });
    this.armStall();
  }

  private becomeLeader(): void {
    const wasFollower = this.role === 'follower';
    this.clearStall();
    this.setRole('leader');
    // A follower taking over may have missed events while no tab was listening.
    this.openStream(wasFollower);
  }

  private openStream(resyncOnFirstOpen: boolean): void {
    let firstOpen = true;
    this.stream = new EventStream({
      url: this.opts.url,
      factory: this.opts.factory,
      onEvent: (event) => {
        this.opts.onEvent(event);
        this.post({ kind: 'event', event });
      },
      onHeartbeat: () => this.post({ kind: 'status', status: 'open' }),
      onStatus: (status) => {
        this.opts.onStatus(status);
        this.post({ kind: 'status', status });
        if (status === 'open' && firstOpen) {
          firstOpen = false;
          if (resyncOnFirstOpen) this.opts.onReconnect();
        }
      },
      onReconnect: () => {
        this.opts.onReconnect();
        // Followers missed the same events.
        this.post({ kind: 'status', status: 'open' });
      },
      timers: this.timers,
    });
    this.stream.start();
  }

  private onMessage(msg: LiveMessage): void {
    if (this.stopped) return;
    if (this.role === 'leader') {
      if (msg.kind === 'hello') this.post({ kind: 'status', status: this.stream?.status ?? 'connecting' });
      else if (msg.kind === 'kick') this.stream?.kick();
      return;
    }
    if (this.role !== 'follower') return;
    if (msg.kind === 'event') {
      this.armStall();
      this.opts.onEvent(msg.event);
    } else if (msg.kind === 'status') {
      this.armStall();
      const wasOpen = this.lastFollowerStatus === 'open';
      this.lastFollowerStatus = msg.status;
      this.opts.onStatus(msg.status);
      // The leader's stream came back (or this tab had lost the leader): refetch.
      if (msg.status === 'open' && !wasOpen && this.heardLeader) this.opts.onReconnect();
      this.heardLeader = true;
    }
  }

  private lastFollowerStatus: StreamStatus = 'connecting';
  private heardLeader = false;

  /** A follower that hears neither events nor heartbeats from the leader is not live. */
  private armStall(): void {
    this.clearStall();
    this.stallTimer = this.timers.setTimeout(() => {
      this.stallTimer = null;
      if (this.stopped || this.role !== 'follower') return;
      this.lastFollowerStatus = 'reconnecting';
      this.opts.onStatus('reconnecting');
      this.post({ kind: 'hello' });
      this.armStall();
    }, this.stallMs);
  }

  private clearStall(): void {
    if (this.stallTimer) this.timers.clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  private post(msg: LiveMessage): void {
    try {
      this.channel?.postMessage(msg);
    } catch {
      // A closed channel (tab unloading): nothing to tell.
    }
  }
}
