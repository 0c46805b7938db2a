import type { ModelKind } from '../../../../shared/models.ts';
import type { CivitaiFile, CivitaiVersion } from '../../civitai/civitai-types.ts';
import { DownloadError } from './download-error.ts';

/** The library kind a Civitai model type (and file type) goes to; null when unsupported. */
export function kindFor(modelType: string | undefined, fileType: string | undefined): ModelKind | null {
  if (fileType === 'VAE') return 'vae';
  switch ((modelType ?? '').toLowerCase()) {
    case 'checkpoint': return 'checkpoint';
    case 'lora':
    case 'locon':
    case 'dora':
    case 'lycoris': return 'lora';
    case 'textualinversion': return 'embedding';
    case 'vae': return 'vae';
    default: return null;
  }
}

/**
 * The file to download: the one asked for by id (Civitai picks it by `?fileId=`), else the
 * primary file, else the first model file.
 */
export function chooseFile(version: CivitaiVersion, fileId: number | null | undefined): CivitaiFile {
  const files = version.files ?? [];
  if (fileId !== null && fileId !== undefined) {
    const file = files.find((f) => f.id === fileId);
    if (!file) throw new DownloadError('not_found', `Version ${version.id} has no file ${fileId}. Its files: ${files.map((f) => `${f.id} (${f.name})`).join(', ') || 'none'}.`);
    return file;
  }
  const file = files.find((f) => f.primary === true) ?? files.find((f) => !f.type || f.type === 'Model') ?? files[0];
  if (!file) throw new DownloadError('not_found', `Version ${version.id} has no files to download.`);
  return file;
}

/** Civitai's size (KiB, a float) in bytes. */
export function expectedBytes(file: CivitaiFile): number | null {
  return typeof file.sizeKB === 'number' && file.sizeKB > 0 ? Math.round(file.sizeKB * 1024) : null;
}
