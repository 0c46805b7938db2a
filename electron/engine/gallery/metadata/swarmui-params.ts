import type { ImageLora } from '../../../../shared/images.ts';
import { EMPTY_METADATA, integerOrNull, numberOrNull, stringOrNull, type ImageMetadata } from './image-metadata.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * SwarmUI writes JSON where A1111 writes infotext (the PNG `parameters` chunk, EXIF):
 * `{"sui_image_params": {prompt, negativeprompt, model, seed, steps, cfgscale, …,
 * loras: [...], loraweights: [...]}, "sui_models": [{name, param, hash}]}`.
 * Null when the text is not that JSON.
 */
export function readSwarmUiParams(text: string): ImageMetadata | null {
  if (!text.trimStart().startsWith('{')) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data) || !isObject(data.sui_image_params)) return null;
  const p = data.sui_image_params;
  const names = Array.isArray(p.loras) ? p.loras : [];
  const weights = Array.isArray(p.loraweights) ? p.loraweights : [];
  const loras: ImageLora[] = names.flatMap((name, i) => (typeof name === 'string' && name ? [{ name, weight: numberOrNull(weights[i]) ?? 1 }] : []));
  const models = Array.isArray(data.sui_models) ? data.sui_models.filter(isObject) : [];
  const checkpoint = stringOrNull(p.model);
  const model = models.find((m) => m.param === 'model') ?? null;
  return {
    ...EMPTY_METADATA,
    tool: 'swarmui',
    positive_prompt: stringOrNull(p.prompt) ?? '',
    negative_prompt: stringOrNull(p.negativeprompt),
    seed: numberOrNull(p.seed),
    sampler: stringOrNull(p.sampler),
    scheduler: stringOrNull(p.scheduler),
    steps: integerOrNull(p.steps),
    cfg_scale: numberOrNull(p.cfgscale),
    width: integerOrNull(p.width),
    height: integerOrNull(p.height),
    checkpoint,
    checkpoint_hash: model ? stringOrNull(model.hash) : null,
    loras,
  };
}
