import type { CivitaiClient } from '../../civitai/civitai-client.ts';
import type { CivitaiModel } from '../../civitai/civitai-types.ts';
import { familyFromCivitai } from '../../../../shared/base-model-families.ts';
import type { ModelLibrary } from '../library/model-library.ts';
import type { ModelRow } from '../library/model-row.ts';

export interface UpdateCheckResult {
  checked: number;
  updates: number;
}

/**
 * The newest version of the model for the installed file's base model (an SDXL file is not
 * "updated" by the model's new Flux version); the model's newest when the base is unknown.
 */
function newestFor(model: CivitaiModel, row: ModelRow) {
  const versions = model.modelVersions ?? [];
  if (row.base_model === 'Unknown') return versions[0];
  return versions.find((v) => familyFromCivitai(v.baseModel) === row.base_model) ?? versions[0];
}

/**
 * Update check for identified models, as Stability Matrix does it: bulk `/models?ids=`
 * (100 per call); a model has an update when none of the newest version's files (same base
 * model) is in the library (by SHA256) and that version is not the installed one.
 */
export async function checkForUpdates(library: ModelLibrary, client: CivitaiClient, signal?: AbortSignal): Promise<UpdateCheckResult> {
  const rows = library.store.all().filter((r) => r.civitai_model_id !== null && r.civitai_version_id !== null);
  if (rows.length === 0) return { checked: 0, updates: 0 };
  const installedShas = new Set(library.store.all().map((r) => r.sha256).filter((s): s is string => !!s));
  const installedVersions = new Set(rows.map((r) => r.civitai_version_id));
  const models = await client.getModelsByIds(rows.map((r) => r.civitai_model_id!), signal);
  const byId = new Map(models.map((m) => [m.id, m]));
  let updates = 0;
  const changed: number[] = [];
  for (const row of rows) {
    const model = byId.get(row.civitai_model_id!);
    const latest = model ? newestFor(model, row) : undefined;
    if (!latest) continue;
    const installed = latest.id === row.civitai_version_id || installedVersions.has(latest.id)
      || (latest.files ?? []).some((f) => f.hashes?.SHA256 && installedShas.has(f.hashes.SHA256.toLowerCase()));
    const available = !installed;
    if (available) updates++;
    if (row.latest_version_id !== latest.id || (row.update_available === 1) !== available) {
      library.store.setUpdate(row.id, latest.id, available);
      changed.push(row.id);
    }
  }
  if (changed.length) library.changed('civitai', changed);
  return { checked: rows.length, updates };
}
