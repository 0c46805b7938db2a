import type { AppType } from '../../../shared/servers.ts';
import type { GenerationParams, JobMode, JobStatus } from '../../../shared/jobs.ts';

/** The mode a job runs in: as asked, else img2img when it brings init images. */
export function jobModeFor(mode: JobMode | undefined, params: GenerationParams): JobMode {
  return mode ?? (Array.isArray(params.init_images) && params.init_images.length > 0 ? 'img2img' : 'txt2img');
}

/** A jobs table row as SQLite returns it. */
export interface JobRow {
  mobilesd_job_id: string;
  status: JobStatus;
  creation_timestamp: string;
  last_updated_timestamp: string;
  started_timestamp: string | null;
  completion_timestamp: string | null;
  target_server_alias: string;
  assigned_server_alias: string | null;
  /** MobileSD's Forge session hash, kept as imported from a MobileSD database; StableQueue itself never sets it. */
  forge_session_hash: string | null;
  generation_params_json: string;
  result_details_json: string | null;
  backend_task_id: string | null;
  app_type: AppType;
  mode: JobMode;
  source_info: string | null;
  api_key_id: string | null;
  priority: number;
  position: number;
  attempts: number;
  max_attempts: number;
  run_after: number;
  lease_token: string | null;
  error_message: string | null;
  cancel_requested: number;
  archived: number;
  positive_prompt: string;
  checkpoint_name: string | null;
  /** The client's `metadata` as JSON, or null. */
  metadata_json: string | null;
  /** Where the job's result is sent when it finishes or fails (null: nowhere). */
  callback_url: string | null;
  /** 1: the callback gets the images attached as multipart. */
  callback_images: number;
  /** The edits made while the job waited, as a JSON array (null: never edited). */
  edit_history_json: string | null;
  /** Times grouping let a later job with a loaded model go first (bounded by dispatch_max_overtake). */
  overtaken_count: number;
  /** When it was first passed so (epoch ms; bounded by dispatch_max_delay_minutes), or null. */
  overtaken_since: number | null;
  /** Earliest start, epoch ms (0: as soon as its turn comes). */
  not_before: number;
  /** Tags every server that runs it must have, as a JSON array (null: none). */
  requires_tags_json: string | null;
  /** Attempts during which its server crashed or went offline; at two the job is quarantined. */
  crash_count: number;
  /** The largest GPU (total bytes) it ran out of memory on; only a bigger one may take it (null: none yet). */
  oom_vram_bytes: number | null;
  /** The batch the job was made in (null: made alone), and its cell in that batch's grid. */
  batch_id: string | null;
  batch_index: number | null;
}

/** A job that has been claimed: it carries the lease token that fences its completion. */
export interface ClaimedJob extends JobRow {
  lease_token: string;
  assigned_server_alias: string;
}

