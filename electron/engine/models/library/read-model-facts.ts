import path from 'node:path';
import type { BaseModelFamily, ModelKind } from '../../../../shared/models.ts';
import { detectBaseModel, familyFromTensors } from '../base-model/detect.ts';
import { readSafetensorsHeader } from '../safetensors/header.ts';
import { readCivitaiInfo, type CivitaiInfo } from '../sidecars/civitai-info.ts';
import { findPreviewName, sidecarBase } from '../sidecars/sidecar-paths.ts';
import { readUserMetadata } from '../sidecars/user-metadata.ts';
import type { CivitaiFields, ScannedFields } from './model-store.ts';

/** Header metadata keys worth keeping (the rest, e.g. ss_tag_frequency, can be huge). */
const KEPT_META = /^(modelspec\.(architecture|title|author|description|resolution|implementation|prediction_type)|ss_(base_model_version|sd_model_name|output_name|network_module|network_dim|network_alpha|v2|clip_skip|resolution|training_comment)|sshs_model_hash)$/;

export interface StoredHeader {
  meta: Record<string, string>;
  tensors_family: BaseModelFamily | null;
}

export async function readHeaderFacts(kind: ModelKind, absPath: string): Promise<StoredHeader | null> {
  if (path.extname(absPath).toLowerCase() !== '.safetensors') return null;
  const header = await readSafetensorsHeader(absPath);
  if (!header) return null;
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(header.metadata)) if (KEPT_META.test(key)) meta[key] = value.slice(0, 2000);
  return { meta, tensors_family: familyFromTensors(kind, header.tensors) };
}

function num(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

/** The Civitai link a `.civitai.info` (or browser-plus's ids in `<base>.json`) records. */
export function civitaiFromInfo(info: CivitaiInfo | null, userJson: Record<string, unknown> | null): CivitaiFields | null {
  const versionId = num(info?.id) ?? num(userJson?.modelVersionId);
  const modelId = num(info?.modelId) ?? num(userJson?.modelId);
  if (versionId === null || modelId === null) return null;
  const model = (info?.model ?? {}) as Record<string, unknown>;
  const words = Array.isArray(info?.trainedWords) ? (info!.trainedWords as unknown[]).filter((w) => typeof w === 'string') as string[] : [];
  return {
    civitai_status: 'found',
    civitai_model_id: modelId,
    civitai_version_id: versionId,
    civitai_model_name: typeof model.name === 'string' ? model.name : null,
    civitai_version_name: typeof info?.name === 'string' ? info.name : null,
    trained_words: words.length ? JSON.stringify(words) : null,
  };
}

export interface ModelFacts {
  fields: ScannedFields;
  civitai: CivitaiFields | null;
}

/**
 * Everything a scan learns about one file without hashing it: header facts (only when
 * `header` is not given), sidecars, base model.
 */
export async function readModelFacts(
  file: { kind: ModelKind; root: string; absPath: string; relPath: string; size: number; mtimeMs: number; dirFiles: ReadonlySet<string> },
  storedHeader: StoredHeader | null | undefined,
): Promise<ModelFacts> {
  const fileName = path.basename(file.absPath);
  const base = path.basename(sidecarBase(fileName));
  const hasJson = file.dirFiles.has(`${base}.json`);
  const hasInfo = file.dirFiles.has(`${base}.civitai.info`);
  const preview = findPreviewName(fileName, file.dirFiles);
  const header = storedHeader === undefined ? await readHeaderFacts(file.kind, file.absPath) : storedHeader;
  const dir = path.dirname(file.absPath);
  const info = hasInfo ? await readCivitaiInfo(path.join(dir, `${base}.civitai.info`)) : null;
  const user = hasJson ? await readUserMetadata(path.join(dir, `${base}.json`)) : null;
  const userJson = user?.state === 'ok' ? (user.data as Record<string, unknown>) : null;
  const civitaiBase = typeof info?.baseModel === 'string' ? info.baseModel : null;
  const guess = detectBaseModel({
    kind: file.kind, fileName, civitaiBaseModel: civitaiBase, metadata: header?.meta ?? null, tensorFamily: header?.tensors_family ?? null,
  });
  return {
    fields: {
      kind: file.kind,
      root: file.root,
      rel_path: file.relPath,
      abs_path: file.absPath,
      name: base,
      ext: path.extname(fileName).toLowerCase(),
      size: file.size,
      mtime_ms: file.mtimeMs,
      base_model: guess.family,
      base_model_label: guess.label,
      base_model_source: guess.source,
      header_json: header ? JSON.stringify(header) : null,
      preview_file: preview,
      has_user_json: hasJson ? 1 : 0,
      has_civitai_info: hasInfo ? 1 : 0,
      sidecar_sig: `${hasJson ? 'j' : ''}${hasInfo ? 'i' : ''}:${preview ?? ''}`,
    },
    civitai: civitaiFromInfo(info, userJson),
  };
}

export function sidecarSignature(fileName: string, dirFiles: ReadonlySet<string>): string {
  const base = path.basename(sidecarBase(fileName));
  const preview = findPreviewName(fileName, dirFiles);
  return `${dirFiles.has(`${base}.json`) ? 'j' : ''}${dirFiles.has(`${base}.civitai.info`) ? 'i' : ''}:${preview ?? ''}`;
}
