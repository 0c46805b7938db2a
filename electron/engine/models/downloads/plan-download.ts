import path from 'node:path';
import type { CivitaiClient } from '../../civitai/civitai-client.ts';
import type { CivitaiVersion } from '../../civitai/civitai-types.ts';
import { sanitizeFileName } from '../../civitai/content-disposition.ts';
import { familyFromCivitai } from '../../../../shared/base-model-families.ts';
import { primaryRoot, type LibraryRoot } from '../library/library-roots.ts';
import { chooseFile, kindFor } from './choose-file.ts';
import { DownloadError } from './download-error.ts';
import type { NewDownload } from './download-store.ts';

export interface DownloadRequest {
  versionId: number;
  fileId?: number | null;
  /** A job waiting in downloading_resources for this file. */
  jobId?: string | null;
  /** Optional sub-folder of the kind's library folder. */
  subfolder?: string | null;
}

const ENV_NAMES: Record<string, string> = { checkpoint: 'CHECKPOINT_PATH', lora: 'LORA_PATH', vae: 'VAE_PATH', embedding: 'EMBEDDINGS_PATH' };

function safeSubfolder(value: string | null | undefined): string {
  if (!value) return '';
  const parts = value.split(/[\\/]+/).filter(Boolean);
  if (parts.some((p) => p === '..' || p === '.' || sanitizeFileName(p) !== p)) {
    throw new DownloadError('bad_request', `"${value}" is not a valid sub-folder name.`);
  }
  return parts.join(path.sep);
}

/**
 * Turns "version V (file F)" into a download: Civitai's version answer (kept verbatim for
 * `.civitai.info`), the file, the library folder for its type, the target and `.part`
 * paths, the expected size and SHA256.
 */
export async function planDownload(request: DownloadRequest, deps: { client: CivitaiClient; roots: LibraryRoot[]; signal?: AbortSignal }): Promise<{ planned: NewDownload; version: CivitaiVersion }> {
  const { version, text } = await deps.client.getVersionWithText(request.versionId, deps.signal);
  const file = chooseFile(version, request.fileId);
  if (file.virusScanResult === 'Danger' || file.pickleScanResult === 'Danger') {
    throw new DownloadError('unsafe_file', `Civitai's scanner flagged ${file.name} as dangerous; StableQueue will not download it.`);
  }
  const kind = kindFor(version.model?.type, file.type);
  if (!kind) {
    throw new DownloadError('unsupported_type', `${version.model?.type ?? 'This'} models are not part of the library (checkpoints, LoRAs, VAEs and embeddings are).`);
  }
  const root = primaryRoot(deps.roots, kind);
  if (!root) {
    throw new DownloadError('no_library_folder', `No ${kind} folder is configured; set ${ENV_NAMES[kind]} so StableQueue knows where to put the file.`);
  }
  const name = sanitizeFileName(file.name);
  if (!name) throw new DownloadError('bad_file_name', `Civitai's file name "${file.name}" cannot be used on disk.`);
  const target = path.join(root.path, safeSubfolder(request.subfolder), name);
  const family = familyFromCivitai(version.baseModel);
  return {
    version,
    planned: {
      kind,
      model_id: version.modelId ?? 0,
      version_id: version.id,
      file_id: file.id,
      model_name: version.model?.name ?? null,
      version_name: version.name ?? null,
      base_model: version.baseModel ?? (family ? family : null),
      file_name: name,
      target_path: target,
      part_path: `${target}.part`,
      // The transfer learns the exact size from the server; sizeKB is checked at the end.
      expected_size: null,
      expected_sha256: file.hashes?.SHA256?.toLowerCase() ?? null,
      version_json: text,
      job_ids: request.jobId ? [request.jobId] : [],
    },
  };
}
