import { FINISHED_STATUSES, type GenerationParams, type JobImage, type JobStatusResponse, type JobSummary, type ResourceDownload } from '../../../shared/jobs.ts';
import { displayOf } from './job-display.ts';
import { editHistoryOf } from './job-edit-plan.ts';
import type { ImageRow } from '../gallery/gallery-store.ts';
import { imageUrls } from '../gallery/gallery-view.ts';
import type { JobRow } from './job-row.ts';

export interface LiveProgress {
  progress: number; // 0..1
  etaSeconds: number | null;
  step: number | null;
  steps: number | null;
  preview: { data: Buffer; mime: string } | null;
  /** e.g. "Queued on server" for a job waiting in ComfyUI's own queue. */
  statusText: string | null;
  at: number;
  /** For a job parked in downloading_resources: the model download it waits for. */
  download?: ResourceDownload | null;
}

/** Human sizes for the waiting job's status line. */
function mb(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return bytes >= 1024 ** 2 ? `${Math.round(bytes / 1024 ** 2)} MB` : `${Math.round(bytes / 1024)} KB`;
}

function downloadText(d: ResourceDownload): string {
  const of = d.total_bytes ? ` of ${mb(d.total_bytes)}` : '';
  const speed = d.speed_bps ? ` at ${mb(d.speed_bps)}/s` : '';
  return `Downloading ${d.file_name}: ${mb(d.bytes_done)}${of}${speed}`;
}

function waitingDownload(row: JobRow, live: LiveProgress | undefined): ResourceDownload | null {
  return row.status === 'downloading_resources' ? live?.download ?? null : null;
}

function percent(row: JobRow, live: LiveProgress | undefined): number {
  const download = waitingDownload(row, live);
  if (download) return download.total_bytes ? Math.round((download.bytes_done / download.total_bytes) * 1000) / 10 : 0;
  if (row.status === 'completed') return 100;
  if (row.status !== 'processing' || !live) return 0;
  return Math.round(live.progress * 1000) / 10;
}

/** Warnings about the extension arguments of a finished attempt (read without parsing most rows). */
function scriptWarningsOf(row: JobRow): string[] | undefined {
  if (!row.result_details_json?.includes('"script_warnings"')) return undefined;
  const warnings = (JSON.parse(row.result_details_json) as { script_warnings?: unknown }).script_warnings;
  return Array.isArray(warnings) ? warnings.filter((w): w is string => typeof w === 'string') : undefined;
}

/** A jobs row (+ live progress + its images) in the API's shape. */
export function toJobSummary(row: JobRow, images: { id: number }[], live: LiveProgress | undefined): JobSummary {
  const scriptWarnings = scriptWarningsOf(row);
  return {
    mobilesd_job_id: row.mobilesd_job_id,
    app_type: row.app_type,
    status: row.status,
    priority: row.priority,
    position: row.position,
    target_server_alias: row.target_server_alias,
    assigned_server_alias: row.assigned_server_alias,
    creation_timestamp: row.creation_timestamp,
    last_updated_timestamp: row.last_updated_timestamp,
    started_timestamp: row.started_timestamp,
    completion_timestamp: row.completion_timestamp,
    attempts: row.attempts,
    max_attempts: row.max_attempts,
    error_message: row.error_message,
    source_info: row.source_info,
    positive_prompt: row.positive_prompt.slice(0, 300),
    checkpoint_name: row.checkpoint_name,
    image_count: images.length,
    first_image_id: images[0]?.id ?? null,
    progress: percent(row, live),
    eta_seconds: row.status === 'processing' ? live?.etaSeconds ?? null : null,
    status_text: row.status === 'processing' ? live?.statusText ?? null : null,
    metadata: metadataOf(row),
    ...(scriptWarnings ? { script_warnings: scriptWarnings } : {}),
    not_before: notBeforeOf(row),
    batch_id: row.batch_id ?? null,
    ...(row.requires_tags_json ? { requires_tags: JSON.parse(row.requires_tags_json) as string[] } : {}),
  };
}

/** The job's start time as ISO, or null when it may start as soon as its turn comes. */
export function notBeforeOf(row: Pick<JobRow, 'not_before'>): string | null {
  return row.not_before > 0 ? new Date(row.not_before).toISOString() : null;
}

function metadataOf(row: JobRow): Record<string, unknown> | null {
  return row.metadata_json ? JSON.parse(row.metadata_json) as Record<string, unknown> : null;
}

/**
 * The attempt's details, plus what MobileSD's clients read there once a job has
 * finished: `images`, the saved files' names (what /gallery_files/:filename serves), and
 * `error`, why it failed or stopped (null when it completed).
 */
function resultDetails(row: JobRow, images: ImageRow[]): Record<string, unknown> | null {
  const stored = row.result_details_json ? JSON.parse(row.result_details_json) as Record<string, unknown> : null;
  if (!FINISHED_STATUSES.includes(row.status)) return stored;
  return {
    ...stored,
    images: images.map((image) => image.file_name),
    error: row.status === 'completed' ? null : row.error_message,
  };
}

export function toJobStatus(
  row: JobRow,
  images: ImageRow[],
  live: LiveProgress | undefined,
  queuePosition: number | null,
  now: number,
): JobStatusResponse {
  const params = JSON.parse(row.generation_params_json) as GenerationParams;
  const download = waitingDownload(row, live);
  const etaSeconds = row.status === 'processing' ? live?.etaSeconds ?? null : download?.eta_seconds ?? null;
  const eta = etaSeconds != null ? new Date(now + etaSeconds * 1000).toISOString() : null;
  return {
    mobilesd_job_id: row.mobilesd_job_id,
    app_type: row.app_type,
    status: row.status,
    progress: percent(row, live),
    creation_timestamp: row.creation_timestamp,
    last_updated_timestamp: row.last_updated_timestamp,
    completion_timestamp: row.completion_timestamp,
    estimated_completion_time: eta,
    status_text: row.status === 'processing' ? live?.statusText ?? null : download ? downloadText(download) : null,
    resource_download: download,
    target_server_alias: row.target_server_alias,
    assigned_server_alias: row.assigned_server_alias,
    priority: row.priority,
    queue_position: queuePosition,
    attempts: row.attempts,
    error_message: row.error_message,
    source_info: row.source_info,
    generation_params: params,
    result_details: resultDetails(row, images),
    preview_url: row.status === 'processing' && live?.preview ? `/api/v1/queue/jobs/${row.mobilesd_job_id}/preview` : null,
    images: images.map((image) => ({
      id: image.id, index: image.idx, kind: image.kind, width: image.width, height: image.height, seed: image.seed, ...imageUrls(image.id),
    })),
    display: displayOf(params),
    metadata: metadataOf(row),
    edit_history: editHistoryOf(row),
    not_before: notBeforeOf(row),
  };
}
