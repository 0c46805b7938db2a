import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EngineEvent } from '../../../shared/events.ts';
import { useApi } from '../api/client.ts';
import { EventStream } from '../api/events.ts';
import type { EventSourceFactory, StreamStatus } from '../api/events.ts';
import { useGallery } from './gallery.ts';
import { useJobs } from './jobs.ts';
import { useServers } from './servers.ts';

type Listener = (event: EngineEvent) => void;

/** The one SSE connection: fans events out to the domain stores, refetches after a drop. */
export const useLive = defineStore('live', () => {
  const status = ref<StreamStatus>('idle');
  const lastEventAt = ref<number | null>(null);
  const reconnects = ref(0);
  let stream: EventStream | null = null;
  const listeners = new Set<Listener>();

  function dispatch(event: EngineEvent): void {
    lastEventAt.value = Date.now();
    useJobs().applyEvent(event);
    useServers().applyEvent(event);
    useGallery().applyEvent(event);
    for (const l of listeners) l(event);
  }

  async function resync(): Promise<void> {
    reconnects.value++;
    const jobs = useJobs();
    const servers = useServers();
    await Promise.allSettled([jobs.loaded ? jobs.fetchJobs() : jobs.refreshState(), servers.fetchServers()]);
    const gallery = useGallery();
    if (gallery.loaded) gallery.stale = true;
  }

  function connect(factory?: EventSourceFactory): void {
    if (stream) return;
    stream = new EventStream({
      url: useApi().eventsUrl(),
      factory,
      onEvent: dispatch,
      onStatus: (s) => (status.value = s),
      onReconnect: () => void resync(),
    });
    stream.start();
  }

  function disconnect(): void {
    stream?.stop();
    stream = null;
  }

  function kick(): void {
    stream?.kick();
  }

  /** Extra subscribers (e.g. notifications); returns an unsubscribe function. */
  function on(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  return { status, lastEventAt, reconnects, connect, disconnect, kick, dispatch, on };
});
