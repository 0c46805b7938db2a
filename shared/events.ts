import type { GallerySource } from './images.ts';
import type { BatchView } from './batches.ts';
import type { JobSummary } from './jobs.ts';
import type { DownloadProgress, DownloadView, ScanState } from './models.ts';
import type { ServerView } from './servers.ts';

/**
 * Events on GET /api/v1/events (Server-Sent Events). The SSE `event:` field is the
 * `type`; `data:` is the JSON of the whole object.
 */
export type EngineEvent =
  | { type: 'job.created'; job: JobSummary }
  | { type: 'job.updated'; job: JobSummary }
  | { type: 'job.progress'; job_id: string; progress: number; eta_seconds: number | null; step: number | null; steps: number | null; has_preview: boolean; status_text?: string | null }
  | { type: 'job.finished'; job: JobSummary }
  | { type: 'job.deleted'; job_id: string }
  | { type: 'queue.state'; paused: boolean; counts: Record<string, number> }
  | { type: 'server.status'; server: ServerView }
  | { type: 'server.deleted'; alias: string }
  | { type: 'image.deleted'; image_id: number }
  /** An image joined the gallery outside a job: a file appeared in a watched gallery source. */
  | { type: 'image.created'; image_id: number; source_id: number | null }
  /**
   * Images' rating, favourite, note or collections changed: one event per request (a bulk
   * action names all its images); `image_ids` is null when there were too many to list.
   */
  | { type: 'image.updated'; image_ids: number[] | null }
  /** A gallery source's state or indexing progress changed. */
  | { type: 'gallery.source'; source: GallerySource }
  | { type: 'models.scan'; scan: ScanState }
  | { type: 'models.hashing'; model_id: number; name: string; bytes_done: number; total_bytes: number; queued: number }
  | { type: 'models.changed'; reason: 'scan' | 'hash' | 'civitai' | 'download' | 'manage'; ids: number[] }
  | { type: 'download.updated'; download: DownloadView }
  | ({ type: 'download.progress' } & DownloadProgress)
  | { type: 'download.deleted'; id: string }
  /** A Civitai update check found newer versions ("N models have updates"). */
  | { type: 'models.updates'; count: number; checked: number; checked_at: string }
  /** Every job of a batch has ended and its contact sheets are saved. */
  | { type: 'batch.finished'; batch: BatchView };

export type EngineEventType = EngineEvent['type'];
export const ENGINE_EVENT_TYPES: readonly EngineEventType[] = [
  'job.created', 'job.updated', 'job.progress', 'job.finished', 'job.deleted',
  'queue.state', 'server.status', 'server.deleted', 'image.deleted', 'image.created', 'image.updated', 'gallery.source',
  'models.scan', 'models.hashing', 'models.changed', 'download.updated', 'download.progress', 'download.deleted',
  'models.updates', 'batch.finished',
];
