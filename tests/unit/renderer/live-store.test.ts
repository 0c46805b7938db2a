/**
 * The live store knows no domain store: jobs, servers, gallery and downloads each
 * subscribe themselves. These tests prove the events and the after-reconnect refetch
 * still reach every one of them.
 */
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import type { EventSourceLike } from '../../../renderer/src/api/events.ts';
import { useDownloads } from '../../../renderer/src/stores/downloads.ts';
import { useGallery } from '../../../renderer/src/stores/gallery.ts';
import { useJobs } from '../../../renderer/src/stores/jobs.ts';
import { useLive } from '../../../renderer/src/stores/live.ts';
import { useServers } from '../../../renderer/src/stores/servers.ts';
import type { DownloadView } from '../../../shared/models.ts';
import type { ServerView } from '../../../shared/servers.ts';
import { createFakeFetch } from './fake-fetch.ts';

class FakeSource implements EventSourceLike {
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  addEventListener() {}
  close() {}
}

const server = (alias: string): ServerView => ({
  alias, app_type: 'forge', api_url: `http://${alias}:7860`, username: null, has_password: false, max_concurrency: 1,
  enabled: true, status: 'online', status_message: null, loaded_checkpoint: null, running_jobs: 0, last_checked: null,
  tags: [], allowed_checkpoints: [], blocked_checkpoints: [], max_pixels: null, max_batch: null, allowed_hours: null, time_zone: null, drain_action: 'none', paused: false, vram: null, idle_reason: null,
});
const download = (id: string, over: Partial<DownloadView> = {}) => ({
  id, status: 'queued', bytes_done: 0, total_bytes: 100, speed_bps: 0, eta_seconds: null, created_at: '2026-01-01T00:00:00Z', ...over,
}) as DownloadView;

function setup() {
  const f = createFakeFetch({
    'GET /api/v1/downloads': () => ({ json: { downloads: [download('d1')] } }),
    'GET /api/v1/servers': () => ({ json: [server('a')] }),
    'GET /api/v1/queue/state': () => ({ json: { paused: true, counts: { pending: 4 } } }),
  });
  setApiClient(new ApiClient({ fetch: f.fetch }));
  setActivePinia(createPinia());
  return f;
}

afterEach(() => vi.useRealTimers());

describe('live store', () => {
  it('fans each event out to the stores that subscribed themselves', async () => {
    setup();
    const jobs = useJobs();
    const servers = useServers();
    const gallery = useGallery();
    const downloads = useDownloads();
    await vi.waitFor(() => expect(downloads.loaded).toBe(true));
    const live = useLive();

    live.dispatch({ type: 'queue.state', paused: true, counts: { pending: 2 } });
    live.dispatch({ type: 'server.status', server: server('b') });
    gallery.loaded = true;
    // What the tab showed before the drop: the server now answers another count.
    gallery.total = 5;
    live.dispatch({ type: 'job.finished', job: { mobilesd_job_id: 'j', status: 'completed', image_count: 1 } as never });
    live.dispatch({ type: 'download.progress', id: 'd1', bytes_done: 40, total_bytes: 100, speed_bps: 10, eta_seconds: 6 });

    expect(jobs.paused).toBe(true);
    expect(jobs.counts).toEqual({ pending: 2 });
    expect(servers.byAlias.b?.alias).toBe('b');
    expect(gallery.stale).toBe(true);
    expect(downloads.list[0]).toMatchObject({ id: 'd1', status: 'active', bytes_done: 40 });
    expect(live.lastEventAt).not.toBeNull();
  });

  it('after a reconnect, every store refetches what it may have missed', async () => {
    vi.useFakeTimers();
    const f = setup();
    useJobs();
    useServers();
    const gallery = useGallery();
    gallery.loaded = true;
    const downloads = useDownloads();
    await vi.waitFor(() => expect(downloads.loaded).toBe(true));
    const live = useLive();
    const sources: FakeSource[] = [];
    live.connect(() => {
      const s = new FakeSource();
      sources.push(s);
      return s;
    });
    sources[0]!.onopen?.(new Event('open'));
    expect(live.connected).toBe(true);
    expect(live.label).toBe('Live');
    f.calls.length = 0;

    sources[0]!.onerror?.(new Event('error'));
    expect(live.label).toBe('Reconnecting…');
    await vi.advanceTimersByTimeAsync(60_000);
    sources.at(-1)!.onopen?.(new Event('open'));
    await vi.waitFor(() => expect(live.reconnects).toBe(1));
    await vi.waitFor(() => expect(f.calls.map((c) => c.url).sort()).toEqual(['/api/v1/downloads', '/api/v1/gallery/images?limit=1', '/api/v1/queue/state', '/api/v1/servers']));
    // The gallery asks only for its first image: "new images" shows because the count changed.
    await vi.waitFor(() => expect(gallery.stale).toBe(true));
    live.disconnect();
  });
});
