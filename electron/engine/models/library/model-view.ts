import type { ModelView } from '../../../../shared/models.ts';
import type { ModelRow } from './model-row.ts';

export const CIVITAI_SITE = 'https://civitai.com';

function words(json: string | null): string[] {
  if (!json) return [];
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? parsed.filter((w): w is string => typeof w === 'string') : [];
  } catch {
    return [];
  }
}

/** A models row in the API's shape. */
export function toModelView(row: ModelRow): ModelView {
  const slash = row.rel_path.lastIndexOf('/');
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    file_name: row.rel_path.slice(slash + 1),
    rel_path: row.rel_path,
    folder: slash >= 0 ? row.rel_path.slice(0, slash) : '',
    size: row.size,
    modified_at: new Date(row.mtime_ms).toISOString(),
    sha256: row.sha256,
    autov2: row.sha256 ? row.sha256.slice(0, 10) : null,
    autov3: row.autov3 ? row.autov3.slice(0, 12) : null,
    hash_state: row.hash_error ? 'error' : row.sha256 ? 'done' : 'pending',
    base_model: row.base_model,
    base_model_label: row.base_model_label,
    base_model_source: row.base_model_source,
    civitai: row.civitai_model_id !== null && row.civitai_version_id !== null
      ? {
        model_id: row.civitai_model_id,
        version_id: row.civitai_version_id,
        model_name: row.civitai_model_name,
        version_name: row.civitai_version_name,
        url: `${CIVITAI_SITE}/models/${row.civitai_model_id}?modelVersionId=${row.civitai_version_id}`,
        trained_words: words(row.trained_words),
      }
      : null,
    civitai_status: row.civitai_status,
    update_available: row.update_available === 1,
    latest_version_id: row.latest_version_id,
    preview_url: row.preview_file ? `/api/v1/models/${row.id}/preview` : null,
    has_user_metadata: row.has_user_json === 1,
  };
}
