import { computed, reactive, ref } from 'vue';
import type { EngineEvent } from '../../../../shared/events.ts';
import type { DownloadView } from '../../../../shared/models.ts';
import { useLive } from '../../stores/live.ts';
import { modelsApi } from './models-api.ts';

const state = reactive(new Map<string, DownloadView>());
const loaded = ref(false);
const error = ref<unknown>(null);
let subscribed = false;

function apply(event: EngineEvent): void {
  switch (event.type) {
    case 'download.updated':
      state.set(event.download.id, event.download);
      break;
    case 'download.progress': {
      const d = state.get(event.id);
      if (d) {
        d.bytes_done = event.bytes_done;
        d.total_bytes = event.total_bytes ?? d.total_bytes;
        d.speed_bps = event.speed_bps;
        d.eta_seconds = event.eta_seconds;
        if (d.status === 'queued') d.status = 'active';
      }
      break;
    }
    case 'download.deleted':
      state.delete(event.id);
      break;
  }
}

async function refresh(): Promise<void> {
  try {
    const { downloads } = await modelsApi().downloads();
    state.clear();
    for (const d of downloads) state.set(d.id, d);
    loaded.value = true;
    error.value = null;
  } catch (err) {
    error.value = err;
  }
}

/**
 * The download queue, kept live from SSE (`download.updated`, `download.progress`,
 * `download.deleted`) after one fetch; shared by the Downloads panel and the Civitai browser.
 */
export function useDownloads() {
  if (!subscribed) {
    subscribed = true;
    useLive().on(apply);
    void refresh();
  }
  const list = computed(() => [...state.values()].sort((a, b) => {
    const rank = (d: DownloadView) => (d.status === 'active' || d.status === 'verifying' ? 0 : d.status === 'queued' ? 1 : d.status === 'paused' ? 2 : 3);
    return rank(a) - rank(b) || b.created_at.localeCompare(a.created_at);
  }));
  const active = computed(() => list.value.filter((d) => ['queued', 'active', 'verifying', 'paused'].includes(d.status)));
  /** The newest download of a Civitai file, if any. */
  const forFile = (versionId: number, fileId: number) => list.value.find((d) => d.version_id === versionId && d.file_id === fileId);
  return { list, active, loaded, error, refresh, forFile, upsert: (d: DownloadView) => state.set(d.id, d) };
}
