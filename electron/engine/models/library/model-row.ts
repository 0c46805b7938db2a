import type { ModelKind } from '../../../../shared/models.ts';

/** A `models` row as SQLite returns it. */
export interface ModelRow {
  id: number;
  kind: ModelKind;
  root: string;
  rel_path: string;
  abs_path: string;
  name: string;
  ext: string;
  size: number;
  mtime_ms: number;
  sha256: string | null;
  autov3: string | null;
  hash_error: string | null;
  hashed_at: number | null;
  base_model: string;
  base_model_label: string | null;
  base_model_source: string | null;
  header_json: string | null;
  civitai_status: 'unknown' | 'found' | 'not_found' | 'error';
  civitai_model_id: number | null;
  civitai_version_id: number | null;
  civitai_model_name: string | null;
  civitai_version_name: string | null;
  trained_words: string | null;
  civitai_checked_at: number | null;
  latest_version_id: number | null;
  update_available: number;
  preview_file: string | null;
  has_user_json: number;
  has_civitai_info: number;
  sidecar_sig: string | null;
  scan_gen: number;
  created_at: string;
  updated_at: string;
}

/** Whether a row still needs hashing work (SHA256 always, AutoV3 for safetensors). */
export function needsHash(row: Pick<ModelRow, 'sha256' | 'autov3' | 'hash_error' | 'ext'>): boolean {
  if (row.hash_error) return false;
  return row.sha256 === null || (row.ext === '.safetensors' && row.autov3 === null);
}
