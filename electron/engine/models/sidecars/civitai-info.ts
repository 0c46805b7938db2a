import { readTextIfExists, writeFileAtomic } from '../fs/atomic-file.ts';
import { parsePyJson, pyJsonDumps, type PyValue } from './python-json.ts';

/**
 * `<base>.civitai.info`: Civitai Helper's file, the by-hash model-version JSON written
 * with `json.dumps(model_info, indent=4)` (ASCII escapes). Civitai Helper writes `{}` for
 * "not on Civitai"; such a file is treated as absent information.
 */
export type CivitaiInfo = { [key: string]: PyValue };

export async function readCivitaiInfo(file: string): Promise<CivitaiInfo | null> {
  const text = await readTextIfExists(file);
  if (text === null) return null;
  try {
    const data = parsePyJson(text.replace(/^\uFEFF/, ''));
    if (!data || typeof data !== 'object' || Array.isArray(data) || Object.keys(data).length === 0) return null;
    return data as CivitaiInfo;
  } catch {
    return null;
  }
}

export function serializeCivitaiInfo(version: CivitaiInfo): string {
  return pyJsonDumps(version, { indent: 4, ensureAscii: true });
}

/**
 * Writes the version JSON (parsed from Civitai's raw answer, so floats and big ints keep
 * Python's form) unless a non-empty file is already there: another tool's file stays.
 */
export async function writeCivitaiInfo(file: string, versionJsonText: string, opts: { overwrite?: boolean } = {}): Promise<boolean> {
  if (!opts.overwrite && (await readCivitaiInfo(file)) !== null) return false;
  const parsed = parsePyJson(versionJsonText);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the Civitai version answer is not a JSON object');
  await writeFileAtomic(file, serializeCivitaiInfo(parsed as CivitaiInfo));
  return true;
}
