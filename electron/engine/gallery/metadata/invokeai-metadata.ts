import type { ImageLora } from '../../../../shared/images.ts';
import { EMPTY_METADATA, integerOrNull, numberOrNull, stringOrNull, type ImageMetadata } from './image-metadata.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A model reference in InvokeAI's metadata: `{name, hash}` (v4+) or `{model_name}` (v3). */
function modelName(value: unknown): { name: string | null; hash: string | null } {
  if (!isObject(value)) return { name: stringOrNull(value), hash: null };
  return { name: stringOrNull(value.name) ?? stringOrNull(value.model_name), hash: stringOrNull(value.hash) };
}

/** InvokeAI's `invokeai_metadata` PNG chunk (JSON). */
export function readInvokeAiMetadata(json: string): ImageMetadata | null {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isObject(data)) return null;
  const model = modelName(data.model);
  const loras: ImageLora[] = [];
  for (const entry of Array.isArray(data.loras) ? data.loras : []) {
    if (!isObject(entry)) continue;
    const name = modelName(entry.model ?? entry.lora).name;
    if (name) loras.push({ name, weight: numberOrNull(entry.weight) ?? 1 });
  }
  return {
    ...EMPTY_METADATA,
    tool: 'invokeai',
    positive_prompt: stringOrNull(data.positive_prompt) ?? '',
    negative_prompt: stringOrNull(data.negative_prompt),
    seed: numberOrNull(data.seed),
    sampler: stringOrNull(data.scheduler),
    scheduler: null,
    steps: integerOrNull(data.steps),
    cfg_scale: numberOrNull(data.cfg_scale),
    width: integerOrNull(data.width),
    height: integerOrNull(data.height),
    checkpoint: model.name,
    checkpoint_hash: model.hash,
    loras,
  };
}
