import type { NotifyEvent } from '../../../shared/notifications.ts';
import type { JobRow } from '../queue/job-row.ts';
import { toJobStatus } from '../queue/job-view.ts';
import type { ImageRow } from '../gallery/gallery-store.ts';

/**
 * The JSON every target gets for an event: `event`, the job (status, prompt, images with
 * absolute URLs, so a phone or a home-automation box can fetch them) and, for events that
 * are not about one job, their own data. `delivered_at` is added at each try.
 */
export interface NotifyPayload {
  event: NotifyEvent | 'test';
  job: NotifyJob | null;
  data: unknown;
}

export interface NotifyJob {
  id: string;
  status: string;
  prompt: string;
  negative_prompt: string;
  server: string | null;
  error: string | null;
  created_at: string;
  completed_at: string | null;
  url: string;
  images: { id: number; width: number | null; height: number | null; seed: number | null; url: string; thumbnail_url: string }[];
}

export function jobPayload(row: JobRow, images: ImageRow[], baseUrl: string): NotifyJob {
  const status = toJobStatus(row, images, undefined, null, 0);
  const abs = (p: string) => new URL(p, baseUrl).toString();
  const params = status.generation_params as Record<string, unknown>;
  return {
    id: row.mobilesd_job_id,
    status: row.status,
    prompt: typeof params.positive_prompt === 'string' ? params.positive_prompt : row.positive_prompt,
    negative_prompt: typeof params.negative_prompt === 'string' ? params.negative_prompt : '',
    server: row.assigned_server_alias,
    error: row.error_message,
    created_at: row.creation_timestamp,
    completed_at: row.completion_timestamp,
    url: abs(`/api/v1/queue/jobs/${row.mobilesd_job_id}`),
    images: status.images.map((image) => ({
      id: image.id, width: image.width, height: image.height, seed: image.seed,
      url: abs(image.download_url), thumbnail_url: abs(image.thumbnail_url),
    })),
  };
}

/** The body as sent: the payload with the time of this try. */
export function serializePayload(payload: NotifyPayload, now: number): string {
  return JSON.stringify({ event: payload.event, delivered_at: new Date(now).toISOString(), job: payload.job, data: payload.data });
}
