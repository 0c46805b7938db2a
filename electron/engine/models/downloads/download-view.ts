import type { DownloadView } from '../../../../shared/models.ts';
import type { DownloadRow } from './download-row.ts';

export interface LiveTransfer {
  bytes: number;
  total: number | null;
  speed: number | null;
  eta: number | null;
}

/** Civitai's size estimate (sizeKB) until the server has told the exact size. */
/** The file's size as Civitai lists it, before the transfer knows better. */
export function estimatedSize(row: Pick<DownloadRow, 'version_json' | 'file_id'>): number | null {
  try {
    const version = JSON.parse(row.version_json) as { files?: { id: number; sizeKB?: number }[] };
    const kb = version.files?.find((f) => f.id === row.file_id)?.sizeKB;
    return typeof kb === 'number' ? Math.round(kb * 1024) : null;
  } catch {
    return null;
  }
}

/** A downloads row (plus live speed and ETA while it runs) in the API's shape. */
export function toDownloadView(row: DownloadRow, live: LiveTransfer | undefined): DownloadView {
  return {
    id: row.id,
    status: row.status,
    kind: row.kind,
    model_id: row.model_id,
    version_id: row.version_id,
    file_id: row.file_id,
    model_name: row.model_name,
    version_name: row.version_name,
    file_name: row.file_name,
    base_model: row.base_model,
    target_path: row.target_path,
    bytes_done: live?.bytes ?? row.bytes_done,
    total_bytes: live?.total ?? row.expected_size ?? estimatedSize(row),
    speed_bps: row.status === 'active' ? live?.speed ?? null : null,
    eta_seconds: row.status === 'active' ? live?.eta ?? null : null,
    error_code: row.error_code,
    error_message: row.error_message,
    job_ids: JSON.parse(row.job_ids) as string[],
    library_model_id: row.library_model_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    completed_at: row.completed_at,
  };
}
