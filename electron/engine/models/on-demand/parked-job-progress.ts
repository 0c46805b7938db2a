import { isDownloadFinished } from '../../../../shared/models.ts';
import type { EventBus } from '../../event-bus.ts';
import type { Dispatcher } from '../../queue/dispatcher.ts';
import type { DownloadManager } from '../downloads/download-manager.ts';

/**
 * A job parked in downloading_resources shows the download it waits for (bytes, speed,
 * ETA) instead of a 0% bar: every download progress event is copied to the live status of
 * the jobs that wait on it, and cleared when the download ends. Returns the unsubscribe.
 */
export function followParkedJobProgress(deps: { bus: EventBus; dispatcher: Dispatcher; downloads: DownloadManager }): () => void {
  return deps.bus.on((event) => {
    if (event.type === 'download.progress') {
      const download = deps.downloads.get(event.id);
      if (!download) return;
      for (const jobId of download.job_ids) {
        deps.dispatcher.setResourceDownload(jobId, {
          download_id: download.id, file_name: download.file_name, bytes_done: event.bytes_done,
          total_bytes: event.total_bytes, speed_bps: event.speed_bps, eta_seconds: event.eta_seconds,
        });
      }
    } else if (event.type === 'download.updated' && isDownloadFinished(event.download.status)) {
      for (const jobId of event.download.job_ids) deps.dispatcher.setResourceDownload(jobId, null);
    }
  });
}
