import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { EngineEvent } from '../../../shared/events.ts';
import { useApi } from '../api/client.ts';
import { EventBatcher } from '../api/event-batcher.ts';
import type { EventSourceFactory, StreamStatus } from '../api/events.ts';
import { browserSharing, SharedLive } from '../api/live-share.ts';
import type { LiveRole, LiveSharing } from '../api/live-share.ts';

type Listener = (event: EngineEvent) => void;
type Resync = () => unknown;

const CONNECTION_LABELS: Record<StreamStatus, string> = {
  open: 'Live',
  idle: 'Connecting…',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
};

/**
 * The one SSE connection, shared with the browser's other tabs (one tab holds it and
 * relays; see live-share.ts). It knows no domain store: each store subscribes itself with
 * `on` (every event) and `onResync` (refetch after a dropped connection, since events
 * were missed), so a new store cannot be forgotten here.
 */
export const useLive = defineStore('live', () => {
  const status = ref<StreamStatus>('idle');
  const lastEventAt = ref<number | null>(null);
  const reconnects = ref(0);
  const role = ref<LiveRole>('alone');
  let stream: SharedLive | null = null;
  let connectedBefore = false;
  const listeners = new Set<Listener>();
  const resyncs = new Set<Resync>();

  const connected = computed(() => status.value === 'open');
  const label = computed(() => CONNECTION_LABELS[status.value]);

  function dispatch(event: EngineEvent): void {
    lastEventAt.value = Date.now();
    for (const l of listeners) l(event);
  }

  // The stream's events reach the stores in batches (a burst of thousands renders once).
  const batcher = new EventBatcher(dispatch);

  async function resync(): Promise<void> {
    batcher.flush();
    reconnects.value++;
    await Promise.allSettled([...resyncs].map(async (r) => r()));
  }

  /** An injected source factory (tests) means a tab of its own unless sharing is given too. */
  function connect(factory?: EventSourceFactory, sharing: LiveSharing | null = factory ? null : browserSharing()): void {
    if (stream) return;
    stream = new SharedLive({
      url: useApi().eventsUrl(),
      factory,
      sharing,
      onEvent: (event) => batcher.push(event),
      onStatus: (s) => (status.value = s),
      onReconnect: () => void resync(),
      onRole: (r) => (role.value = r),
    });
    stream.start();
    // Joining again (a page restored from the back/forward cache): whatever passed meanwhile was missed.
    if (connectedBefore) void resync();
    connectedBefore = true;
  }

  function disconnect(): void {
    stream?.stop();
    stream = null;
  }

  function kick(): void {
    stream?.kick();
  }

  /** Every event, in order; returns an unsubscribe function. */
  function on(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Called after the stream reconnects; returns an unsubscribe function. */
  function onResync(refetch: Resync): () => void {
    resyncs.add(refetch);
    return () => resyncs.delete(refetch);
  }

  return { status, lastEventAt, reconnects, role, connected, label, connect, disconnect, kick, dispatch, on, onResync };
});
