import type { Logger } from 'pino';
import type { ModelKind } from '../../../../shared/models.ts';
import type { CivitaiVersion } from '../../civitai/civitai-types.ts';
import { familyFromCivitai, sdVersionFor } from '../../../../shared/base-model-families.ts';
import { writeCivitaiInfo } from './civitai-info.ts';
import { htmlToText } from './html-text.ts';
import { choosePreviewImage, fetchImageBytes, writePreviewIfMissing } from './preview.ts';
import { civitaiInfoPath, userJsonPath } from './sidecar-paths.ts';
import { updateUserMetadata, type UserMetadata } from './user-metadata.ts';

export interface SidecarOptions {
  userAgent: string;
  /** Highest Civitai nsfwLevel allowed for the preview (1 PG, 2 PG-13, 4 R, 8 X, 16 XXX). */
  previewMaxNsfw: number;
  logger: Logger;
}

/**
 * The fields StableQueue fills in `<base>.json` for a Civitai version: A1111/Forge's
 * `description`, LoRA `sd version` and `activation text`, and civitai-browser-plus's
 * `modelId`, `modelVersionId`, `sha256`. Only keys the user has not set are filled.
 */
export function userMetadataFill(kind: ModelKind, version: CivitaiVersion, sha256: string | null): UserMetadata {
  const fill: UserMetadata = {};
  const description = typeof version.description === 'string' ? htmlToText(version.description) : '';
  if (description) fill.description = description;
  if (kind === 'lora') {
    const family = familyFromCivitai(version.baseModel);
    if (family) fill['sd version'] = sdVersionFor(family);
    const words = (version.trainedWords ?? []).map((w) => w.trim()).filter(Boolean);
    if (words.length) fill['activation text'] = words.join(', ');
  }
  if (typeof version.modelId === 'number') fill.modelId = version.modelId;
  fill.modelVersionId = version.id;
  // civitai-browser-plus stores hashlib's lowercase hexdigest.
  if (sha256) fill.sha256 = sha256.toLowerCase();
  return fill;
}

/**
 * Writes a model's sidecars the way Forge and its Civitai extensions do: `<base>.civitai.info`
 * (unless one is there), `<base>.json` merged, exactly one `<base>.preview.png` (unless a
 * preview exists). Failures are logged, never thrown: the model file matters more.
 */
export async function writeModelSidecars(
  modelPath: string, kind: ModelKind, version: CivitaiVersion, versionText: string, sha256: string | null, opts: SidecarOptions,
): Promise<{ info: boolean; json: string; preview: string | null }> {
  const out = { info: false, json: 'unchanged', preview: null as string | null };
  try {
    out.info = await writeCivitaiInfo(civitaiInfoPath(modelPath), versionText);
  } catch (error) {
    opts.logger.warn({ file: modelPath, err: (error as Error).message }, 'could not write .civitai.info');
  }
  try {
    out.json = await updateUserMetadata(userJsonPath(modelPath), userMetadataFill(kind, version, sha256));
  } catch (error) {
    opts.logger.warn({ file: modelPath, err: (error as Error).message }, 'could not write the user metadata .json');
  }
  try {
    const image = choosePreviewImage(version.images, opts.previewMaxNsfw);
    if (image) out.preview = await writePreviewIfMissing(modelPath, () => fetchImageBytes(image.url, opts.userAgent));
  } catch (error) {
    opts.logger.warn({ file: modelPath, err: (error as Error).message }, 'could not write the preview');
  }
  return out;
}
