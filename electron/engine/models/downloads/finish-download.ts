import fsp from 'node:fs/promises';
import type { Logger } from 'pino';
import type { CivitaiVersion } from '../../civitai/civitai-types.ts';
import type { ModelLibrary } from '../library/model-library.ts';
import type { ModelRow } from '../library/model-row.ts';
import { readSafetensorsHeader } from '../safetensors/header.ts';
import { writeModelSidecars, type SidecarOptions } from '../sidecars/write-sidecars.ts';
import { chooseFile, expectedBytes } from './choose-file.ts';
import { DownloadError } from './download-error.ts';
import type { DownloadRow } from './download-row.ts';
import type { TransferResult } from './transfer.ts';

/** Civitai's sizeKB is rounded: allow a KiB either way. */
const SIZE_TOLERANCE = 1024;

async function exists(file: string): Promise<boolean> {
  return fsp.stat(file).then(() => true, () => false);
}

/**
 * Verifies a finished `.part` (size against sizeKB, SHA256 against Civitai's, the
 * safetensors header), renames it into place atomically, records it in the library and
 * writes its sidecars. A file that fails verification is deleted, never renamed.
 */
export async function finishDownload(
  row: DownloadRow, result: TransferResult, deps: { library: ModelLibrary; root: string; sidecars: SidecarOptions; logger: Logger },
): Promise<ModelRow> {
  const version = JSON.parse(row.version_json) as CivitaiVersion;
  const file = chooseFile(version, row.file_id);
  const civitaiSize = expectedBytes(file);
  const discard = async (code: string, message: string): Promise<never> => {
    await fsp.rm(row.part_path, { force: true });
    throw new DownloadError(code, message);
  };
  if (civitaiSize !== null && Math.abs(result.size - civitaiSize) > SIZE_TOLERANCE) {
    await discard('size_mismatch', `The file has ${result.size} bytes but Civitai lists ${civitaiSize}; it was discarded.`);
  }
  if (row.expected_sha256 && row.expected_sha256.toLowerCase() !== result.sha256.toLowerCase()) {
    await discard('hash_mismatch', `The file's SHA256 ${result.sha256} does not match Civitai's ${row.expected_sha256.toLowerCase()}; it was discarded.`);
  }
  if (/\.safetensors$/i.test(row.file_name) && !(await readSafetensorsHeader(row.part_path))) {
    await discard('invalid_file', 'The file is not a valid safetensors file; it was discarded.');
  }
  if (await exists(row.target_path)) {
    const known = deps.library.store.byPath(row.target_path);
    if (known?.sha256 && known.sha256 === result.sha256.toLowerCase()) {
      await fsp.rm(row.part_path, { force: true });
    } else {
      throw new DownloadError('target_exists', `A different file named ${row.file_name} is already in the library (${row.target_path}); move or rename it, then resume.`);
    }
  } else {
    await fsp.rename(row.part_path, row.target_path);
  }
  const model = await deps.library.ingest(row.kind, deps.root, row.target_path, result.sha256);
  await writeModelSidecars(row.target_path, row.kind, version, row.version_json, result.sha256, deps.sidecars);
  const refreshed = await deps.library.refreshSidecars(model.id);
  return refreshed ?? model;
}
