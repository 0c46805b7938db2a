/**
 * One stream per browser: only the tab holding the lock may hold an EventSource. These
 * tests drive several SharedLive "tabs" over a fake lock manager (a FIFO queue with abort,
 * as the Web Locks API) and a fake BroadcastChannel, counting the sources open at every
 * moment across all tabs.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventSourceLike } from '../../../renderer/src/api/events.ts';
import { SharedLive, type ChannelLike, type LiveRole, type LiveSharing } from '../../../renderer/src/api/live-share.ts';
import type { StreamStatus } from '../../../renderer/src/api/events.ts';

class FakeSource implements EventSourceLike {
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  private readonly listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  closed = false;
  private readonly browser: FakeBrowser;
  constructor(browser: FakeBrowser) {
    this.browser = browser;
    browser.open++;
    browser.peak = Math.max(browser.peak, browser.open);
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() {
    if (!this.closed) this.browser.open--;
    this.closed = true;
  }
  emit(type: string, data: unknown) {
    for (const l of this.listeners.get(type) ?? []) l(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

type Grant = () => Promise<void>;

/** The browser: its lock queue, its channel and every source any tab opened. */
class FakeBrowser {
  open = 0;
  peak = 0;
  sources: FakeSource[] = [];
  private holder: string | null = null;
  private readonly waiting: Array<{ tab: string; grant: Grant; reject: (e: unknown) => void; signal?: AbortSignal }> = [];
  private readonly channels = new Set<ChannelLike>();
  /** Where each source came from, to check the holder opened it. */
  openedBy: Array<{ tab: string; holder: string | null }> = [];

  sharingFor(tab: string, refuse?: string): LiveSharing {
    const request = ((_name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>) =>
      new Promise<void>((resolve, reject) => {
        if (refuse) return reject(new DOMException('refused', refuse));
        const entry = {
          tab,
          signal: options.signal,
          reject,
          grant: async () => {
            this.holder = tab;
            try {
              resolve(await callback());
            } finally {
              this.holder = null;
              this.next();
            }
          },
        };
        options.signal?.addEventListener('abort', () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(new DOMException('aborted', 'AbortError'));
          }
        });
        this.waiting.push(entry);
        if (this.holder === null) this.next();
      })) as unknown as LiveSharing['locks']['request'];
    return {
      locks: { request },
      channel: () => {
        const ch: ChannelLike = {
          onmessage: null,
          postMessage: (message) => {
            for (const other of this.channels) if (other !== ch) queueMicrotask(() => other.onmessage?.(new MessageEvent('message', { data: message })));
          },
          close: () => void this.channels.delete(ch),
        };
        this.channels.add(ch);
        return ch;
      },
    };
  }

  private next(): void {
    const entry = this.waiting.shift();
    if (entry) void entry.grant();
  }

  factoryFor(tab: string) {
    return () => {
      this.openedBy.push({ tab, holder: this.holder });
      const s = new FakeSource(this);
      this.sources.push(s);
      return s;
    };
  }
}

interface Tab {
  live: SharedLive;
  statuses: StreamStatus[];
  roles: LiveRole[];
  events: unknown[];
}

function openTab(browser: FakeBrowser, name: string, refuse?: string): Tab {
  const tab: Tab = { live: null as unknown as SharedLive, statuses: [], roles: [], events: [] };
  tab.live = new SharedLive({
    url: '/api/v1/events',
    factory: browser.factoryFor(name),
    sharing: browser.sharingFor(name, refuse),
    onEvent: (e) => tab.events.push(e),
    onStatus: (s) => tab.statuses.push(s),
    onReconnect: () => undefined,
    onRole: (r) => tab.roles.push(r),
    stallMs: 10_000,
  });
  tab.live.start();
  return tab;
}

const settle = () => vi.advanceTimersByTimeAsync(0);

afterEach(() => vi.useRealTimers());

describe('SharedLive', () => {
  it('only the lock holder opens a stream; followers get its events and a kick opens nothing', async () => {
    vi.useFakeTimers();
    const browser = new FakeBrowser();
    const a = openTab(browser, 'a');
    const b = openTab(browser, 'b');
    const c = openTab(browser, 'c');
    await settle();
    expect(browser.sources).toHaveLength(1);
    expect(a.live.role).toBe('leader');
    expect([b.live.role, c.live.role]).toEqual(['follower', 'follower']);

    // Followers booting kick while the leader's stream is still connecting.
    for (let i = 0; i < 5; i++) {
      b.live.kick();
      c.live.kick();
    }
    await settle();
    expect(browser.peak).toBe(1);

    browser.sources[0]!.onopen?.(new Event('open'));
    browser.sources[0]!.emit('job.deleted', { job_id: 'j1' });
    await settle();
    expect(b.events).toEqual([{ type: 'job.deleted', job_id: 'j1' }]);
    expect(c.statuses.at(-1)).toBe('open');
    expect(browser.openedBy.every((o) => o.tab === o.holder)).toBe(true);
  });

  it('a leader that stops closes its stream before the next tab opens one', async () => {
    vi.useFakeTimers();
    const browser = new FakeBrowser();
    const a = openTab(browser, 'a');
    const b = openTab(browser, 'b');
    await settle();
    a.live.stop();
    await settle();
    expect(b.live.role).toBe('leader');
    expect(browser.sources).toHaveLength(2);
    expect(browser.sources[0]!.closed).toBe(true);
    expect(browser.peak).toBe(1);
    expect(browser.openedBy.map((o) => [o.tab, o.holder])).toEqual([['a', 'a'], ['b', 'b']]);
  });

  it('a stopped follower leaves the lock queue: it never opens a stream later', async () => {
    vi.useFakeTimers();
    const browser = new FakeBrowser();
    const a = openTab(browser, 'a');
    const b = openTab(browser, 'b');
    const c = openTab(browser, 'c');
    await settle();
    b.live.stop();
    a.live.stop();
    await settle();
    expect(c.live.role).toBe('leader');
    expect(browser.openedBy.map((o) => o.tab)).toEqual(['a', 'c']);
    expect(browser.open).toBe(1);
  });

  it('a follower that hears no leader says so, and still opens no stream of its own', async () => {
    vi.useFakeTimers();
    const browser = new FakeBrowser();
    const a = openTab(browser, 'a');
    await settle();
    browser.sources[0]!.onopen?.(new Event('open'));
    const b = openTab(browser, 'b');
    await settle();
    expect(b.statuses.at(-1)).toBe('open');
    // The leader tab is frozen: it relays nothing, yet holds the lock.
    a.live['post'] = () => undefined;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(b.statuses.at(-1)).toBe('reconnecting');
    // Only the holder's own watchdog reopened its silent stream.
    expect(browser.openedBy.every((o) => o.tab === 'a' && o.holder === 'a')).toBe(true);
    expect(browser.peak).toBe(1);
  });

  it('keeps a stream of its own only when locks are refused outright, not when a request is aborted', async () => {
    vi.useFakeTimers();
    const refused = new FakeBrowser();
    const alone = openTab(refused, 'x', 'SecurityError');
    await settle();
    expect(alone.live.role).toBe('alone');
    expect(refused.sources).toHaveLength(1);

    const other = new FakeBrowser();
    const d = openTab(other, 'd', 'InvalidStateError');
    await settle();
    expect(d.live.role).toBe('follower');
    expect(other.sources).toHaveLength(0);
  });
});
