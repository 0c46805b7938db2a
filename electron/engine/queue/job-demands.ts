import type { GenerationParams } from '../../../shared/jobs.ts';
import type { AppType } from '../../../shared/servers.ts';
import type { JobDemands } from '../servers/server-eligibility.ts';
import { displayOf } from './job-display.ts';
import type { JobRow } from './job-row.ts';

/* What of a job, or of a request about to become one, the servers' rules look at (servers/server-eligibility.ts judges it). */

function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** The image size and batch a job asks for, from flat fields or its ComfyUI workflow. */
export function sizeOf(params: GenerationParams): { pixels: number | null; batch: number } {
  const display = params.workflow !== undefined && params.workflow !== null ? displayOf(params) : null;
  const width = positive(params.width) ?? positive(display?.width);
  const height = positive(params.height) ?? positive(display?.height);
  const scale = params.enable_hr === true ? positive(params.hr_scale) ?? 2 : 1;
  const hrWidth = params.enable_hr === true ? positive(params.hr_resize_x) : null;
  const hrHeight = params.enable_hr === true ? positive(params.hr_resize_y) : null;
  const pixels = width && height
    ? (hrWidth && hrHeight ? hrWidth * hrHeight : Math.round(width * scale) * Math.round(height * scale))
    : null;
  const batch = (positive(params.batch_size) ?? positive(display?.batch_size) ?? 1) * (positive(params.n_iter) ?? 1);
  return { pixels, batch };
}

export function demandsOfRequest(input: {
  appType: AppType; target: string; params: GenerationParams; checkpoint: string | null; requiresTags?: string[] | null;
}): JobDemands {
  return {
    appType: input.appType, target: input.target, checkpoint: input.checkpoint, ...sizeOf(input.params),
    requiresTags: input.requiresTags ?? [], oomVramBytes: null,
  };
}

// Read on every dispatch pass for up to 64 candidates: parse each job's params once per version.
const cache = new Map<string, { version: string; demands: JobDemands }>();

export function demandsOf(job: JobRow): JobDemands {
  const version = `${job.last_updated_timestamp}|${job.oom_vram_bytes ?? ''}|${job.target_server_alias}`;
  const hit = cache.get(job.mobilesd_job_id);
  if (hit && hit.version === version) return hit.demands;
  const demands: JobDemands = {
    appType: job.app_type, target: job.target_server_alias, checkpoint: job.checkpoint_name,
    ...sizeOf(JSON.parse(job.generation_params_json) as GenerationParams),
    requiresTags: job.requires_tags_json ? JSON.parse(job.requires_tags_json) as string[] : [],
    oomVramBytes: job.oom_vram_bytes ?? null,
  };
  if (cache.size >= 4096) cache.clear();
  cache.set(job.mobilesd_job_id, { version, demands });
  return demands;
}
