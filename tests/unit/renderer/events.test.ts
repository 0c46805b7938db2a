import { describe, expect, it, vi } from 'vitest';
import { EventStream, parseEvent, type EventSourceLike } from '../../../renderer/src/api/events.ts';
import type { EngineEvent } from '../../../shared/events.ts';

class FakeSource implements EventSourceLike {
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  closed = false;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.(new Event('open'));
  }
  fail() {
    this.onerror?.(new Event('error'));
  }
  emit(type: string, data: unknown) {
    for (const l of this.listeners.get(type) ?? []) l(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

describe('EventStream', () => {
  it('dispatches typed events and reconnects with backoff, then asks for a resync', () => {
    vi.useFakeTimers();
    try {
      const sources: FakeSource[] = [];
      const events: EngineEvent[] = [];
      const statuses: string[] = [];
      const onReconnect = vi.fn();
      const stream = new EventStream({
        url: '/api/v1/events',
        factory: (url) => {
          const s = new FakeSource(url);
          sources.push(s);
          return s;
        },
        onEvent: (e) => events.push(e),
        onStatus: (s) => statuses.push(s),
        onReconnect,
        random: () => 0.5,
      });
      stream.start();
      sources[0]!.open();
      sources[0]!.emit('queue.state', { type: 'queue.state', paused: true, counts: { pending: 2 } });
      sources[0]!.emit('job.deleted', { job_id: 'j1' });
      expect(events).toEqual([
        { type: 'queue.state', paused: true, counts: { pending: 2 } },
        { type: 'job.deleted', job_id: 'j1' },
      ]);
      expect(onReconnect).not.toHaveBeenCalled();

      sources[0]!.fail();
      expect(sources[0]!.closed).toBe(true);
      expect(stream.status).toBe('reconnecting');
      vi.advanceTimersByTime(999);
      expect(sources).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(sources).toHaveLength(2); // 1 s
      sources[1]!.fail();
      vi.advanceTimersByTime(1999);
      expect(sources).toHaveLength(2);
      vi.advanceTimersByTime(1);
      expect(sources).toHaveLength(3); // 2 s
      sources[2]!.open();
      expect(onReconnect).toHaveBeenCalledOnce();
      expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
      // Events from a dead source are ignored.
      sources[0]!.emit('job.deleted', { job_id: 'late' });
      expect(events).toHaveLength(2);
      stream.stop();
      expect(sources[2]!.closed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a kick while a source is connecting or open opens no second one; during a backoff it reconnects at once', () => {
    vi.useFakeTimers();
    try {
      const sources: FakeSource[] = [];
      const stream = new EventStream({
        url: '/api/v1/events',
        factory: (url) => {
          const s = new FakeSource(url);
          sources.push(s);
          return s;
        },
        onEvent: () => undefined,
        random: () => 0.5,
      });
      stream.start();
      stream.kick();
      stream.kick();
      expect(sources).toHaveLength(1);
      sources[0]!.open();
      stream.kick();
      expect(sources).toHaveLength(1);

      sources[0]!.fail();
      expect(stream.status).toBe('reconnecting');
      stream.kick();
      expect(sources).toHaveLength(2);
      expect(sources.filter((s) => !s.closed)).toHaveLength(1);
      // The backoff timer it replaced does not fire a third source later.
      vi.advanceTimersByTime(60_000);
      expect(sources.filter((s) => !s.closed)).toHaveLength(1);
      stream.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives up a connection attempt that never opens after the stall time, and tries again', () => {
    vi.useFakeTimers();
    try {
      const sources: FakeSource[] = [];
      const statuses: string[] = [];
      const stream = new EventStream({
        url: '/api/v1/events',
        factory: (url) => {
          const s = new FakeSource(url);
          sources.push(s);
          return s;
        },
        onEvent: () => undefined,
        onStatus: (s) => statuses.push(s),
        stallMs: 5000,
        random: () => 0.5,
      });
      stream.start();
      vi.advanceTimersByTime(4999);
      expect(sources[0]!.closed).toBe(false);
      vi.advanceTimersByTime(1);
      expect(sources[0]!.closed).toBe(true);
      expect(stream.status).toBe('reconnecting');
      vi.advanceTimersByTime(1000);
      expect(sources).toHaveLength(2);
      sources[1]!.open();
      expect(statuses).toEqual(['connecting', 'reconnecting', 'open']);
      stream.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('parseEvent ignores bad JSON and takes the type from the SSE event name', () => {
    expect(parseEvent('job.deleted', '{"job_id":"a"}')).toEqual({ type: 'job.deleted', job_id: 'a' });
    expect(parseEvent('job.deleted', 'nope')).toBeNull();
  });
});
