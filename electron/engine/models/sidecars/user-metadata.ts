import { readTextIfExists, writeFileAtomic } from '../fs/atomic-file.ts';
import { parsePyJson, pyJsonDumps, type PyValue } from './python-json.ts';

/**
 * `<base>.json`: A1111/Forge's user metadata, read by `extra_networks.get_user_metadata`
 * and written by `ui_extra_networks_user_metadata.write_user_metadata` as
 * `json.dump(metadata, file, indent=4, ensure_ascii=False)`.
 *
 * Keys: all types `description`, `notes`; LoRA `sd version`, `activation text`,
 * `preferred weight`, `negative text`; checkpoints `vae` (A1111) or `vae_te` and
 * `sd_version_str` (Forge); civitai-browser-plus adds `modelId`, `modelVersionId`,
 * `sha256`. Unknown keys are kept as they are.
 */
export type UserMetadata = { [key: string]: PyValue };

export type UserMetadataRead =
  | { state: 'missing' }
  | { state: 'invalid'; error: string }
  | { state: 'ok'; data: UserMetadata };

export async function readUserMetadata(file: string): Promise<UserMetadataRead> {
  const text = await readTextIfExists(file);
  if (text === null) return { state: 'missing' };
  try {
    const data = parsePyJson(text.replace(/^\uFEFF/, ''));
    if (!data || typeof data !== 'object' || Array.isArray(data)) return { state: 'invalid', error: 'not a JSON object' };
    return { state: 'ok', data: data as UserMetadata };
  } catch (error) {
    return { state: 'invalid', error: (error as Error).message };
  }
}

export function serializeUserMetadata(data: UserMetadata): string {
  return pyJsonDumps(data, { indent: 4, ensureAscii: false });
}

/** A key counts as unset when it is absent or an empty string (A1111's editor saves "" for untouched fields). */
function isUnset(value: PyValue | undefined): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * Fills only the keys the user has not set; never overwrites a value. New keys go in
 * the order given, after the existing ones.
 */
export function mergeUserMetadata(existing: UserMetadata, fill: UserMetadata): { merged: UserMetadata; changed: boolean } {
  const merged: UserMetadata = { ...existing };
  let changed = false;
  for (const [key, value] of Object.entries(fill)) {
    if (isUnset(value)) continue;
    if (isUnset(merged[key])) {
      if (!(key in merged)) changed = true;
      else if (merged[key] !== value) changed = true;
      merged[key] = value;
    }
  }
  return { merged, changed };
}

/**
 * Merges `fill` into the model's `<base>.json` and writes it only when something was
 * added. A file that is not valid JSON belongs to the user and is left alone.
 */
export async function updateUserMetadata(file: string, fill: UserMetadata): Promise<'created' | 'updated' | 'unchanged' | 'invalid'> {
  const current = await readUserMetadata(file);
  if (current.state === 'invalid') return 'invalid';
  const base = current.state === 'ok' ? current.data : {};
  const { merged, changed } = mergeUserMetadata(base, fill);
  if (current.state === 'ok' && !changed) return 'unchanged';
  await writeFileAtomic(file, serializeUserMetadata(merged));
  return current.state === 'missing' ? 'created' : 'updated';
}
