import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import type { EngineEvent } from '../../../shared/events.ts';
import { isDownloadFinished, type DownloadStatus, type DownloadView } from '../../../shared/models.ts';
import { modelsApi } from '../api/models.ts';
import { useLive } from './live.ts';

/** List order: running first, then waiting, paused, and the finished ones. */
const STATUS_RANK: Record<DownloadStatus, number> = {
  active: 0, verifying: 0, queued: 1, paused: 2, completed: 3, failed: 3, cancelled: 3,
};

/**
 * The model download queue, kept live from the event stream (`download.updated`,
 * `download.progress`, `download.deleted`) after one fetch, and fetched again after a
 * dropped connection. Shared by the Downloads panel and the Civitai browser.
 */
export const useDownloads = defineStore('downloads', () => {
  const byId = reactive(new Map<string, DownloadView>());
  const loaded = ref(false);
  const error = ref<unknown>(null);

  const list = computed(() => [...byId.values()].sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || b.created_at.localeCompare(a.created_at)));
  const active = computed(() => list.value.filter((d) => !isDownloadFinished(d.status)));

  async function refresh(): Promise<void> {
    try {
      const { downloads } = await modelsApi().downloads();
      byId.clear();
      for (const d of downloads) byId.set(d.id, d);
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = err;
    }
  }

  function upsert(d: DownloadView): void {
    byId.set(d.id, d);
  }

  /** The newest download of a Civitai file, if any. */
  function forFile(versionId: number, fileId: number): DownloadView | undefined {
    return list.value.find((d) => d.version_id === versionId && d.file_id === fileId);
  }

  function applyEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'download.updated':
        byId.set(event.download.id, event.download);
        break;
      case 'download.progress': {
        const d = byId.get(event.id);
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
        byId.delete(event.id);
        break;
      default:
        break;
    }
  }

  const events = useLive();
  events.on(applyEvent);
  events.onResync(() => (loaded.value ? refresh() : undefined));
  void refresh();

  return { list, active, loaded, error, refresh, upsert, forFile, applyEvent };
});
