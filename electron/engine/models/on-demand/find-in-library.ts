import type { ModelRow } from '../library/model-row.ts';
import type { ModelStore } from '../library/model-store.ts';
import { nameForm } from '../manage/model-name-match.ts';
import type { ResourceRef } from './requirements.ts';

/**
 * The library file a job's checkpoint or LoRA reference means: by name (path or file name,
 * with or without extension, as the job wrote it) or by hash (SHA256, its AutoV2 prefix,
 * or AutoV3). Null when the library does not have it.
 */
export function findInLibrary(store: ModelStore, ref: ResourceRef): ModelRow | null {
  const kind = ref.role === 'checkpoint' ? 'checkpoint' : 'lora';
  const rows = store.all(kind);
  const hash = ref.hash?.toLowerCase() ?? null;
  if (hash) {
    const byHash = rows.find((r) => (r.sha256 && (r.sha256 === hash || (hash.length >= 10 && r.sha256.startsWith(hash)))) || r.autov3 === hash);
    if (byHash) return byHash;
  }
  if (ref.name) return rows.find((r) => nameForm(ref.name!, r) !== null) ?? null;
  return null;
}
