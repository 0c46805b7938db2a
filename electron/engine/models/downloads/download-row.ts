import type { DownloadStatus, ModelKind } from '../../../../shared/models.ts';

/** A `downloads` row as SQLite returns it. */
export interface DownloadRow {
  id: string;
  status: DownloadStatus;
  kind: ModelKind;
  model_id: number;
  version_id: number;
  file_id: number;
  model_name: string | null;
  version_name: string | null;
  base_model: string | null;
  file_name: string;
  target_path: string;
  part_path: string;
  expected_size: number | null;
  expected_sha256: string | null;
  bytes_done: number;
  signed_url: string | null;
  signed_url_expires: number | null;
  /** Civitai's model-version answer, verbatim (it becomes `.civitai.info`). */
  version_json: string;
  job_ids: string;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  library_model_id: number | null;
  position: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

