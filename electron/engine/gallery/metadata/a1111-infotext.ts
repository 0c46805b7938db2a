import type { ImageLora } from '../../../../shared/images.ts';
import { parseInfotext } from '../../ops/infotext-fields.ts';
import { EMPTY_METADATA, integerOrNull, numberOrNull, stringOrNull, type ImageMetadata } from './image-metadata.ts';

/** `<lora:name:0.8>` (and `<lyco:…>`) in a prompt; the weight defaults to 1 as in A1111. */
const LORA_TAG = /<(?:lora|lyco):([^:>]+)(?::(-?[\d.]+))?[^>]*>/gi;

export function loraTags(prompt: string): ImageLora[] {
  const out: ImageLora[] = [];
  for (const match of prompt.matchAll(LORA_TAG)) {
    const name = match[1].trim();
    const weight = match[2] !== undefined ? Number(match[2]) : 1;
    if (name && !out.some((l) => l.name === name)) out.push({ name, weight: Number.isFinite(weight) ? weight : 1 });
  }
  return out;
}

/** `Lora hashes: "name: abc123, other: def456"`: names of LoRAs the prompt may not show (styles, wildcards). */
function loraHashNames(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(',').map((part) => part.split(':')[0].trim()).filter(Boolean);
}

/**
 * A1111/Forge infotext (the PNG `parameters` chunk, or JPEG/WebP EXIF UserComment):
 * prompt, `Negative prompt:` and the `Steps: …, Sampler: …` line. LoRAs come from the
 * prompt's tags and from `Lora hashes`.
 */
export function readA1111Infotext(infotext: string): ImageMetadata {
  const fields = parseInfotext(infotext);
  const s = fields.settings;
  const loras = loraTags(fields.positive_prompt);
  for (const name of loraHashNames(s['Lora hashes'])) {
    if (!loras.some((l) => l.name.toLowerCase() === name.toLowerCase())) loras.push({ name, weight: 1 });
  }
  const size = /^(\d+)x(\d+)$/.exec(s.Size ?? '');
  const extra: Record<string, unknown> = {};
  const distilled = numberOrNull(s['Distilled CFG Scale']);
  if (distilled !== null) extra.distilled_cfg_scale = distilled;
  const denoise = numberOrNull(s['Denoising strength']);
  if (denoise !== null) extra.denoising_strength = denoise;
  if (s.VAE) extra.vae = s.VAE;
  return {
    ...EMPTY_METADATA,
    tool: 'a1111',
    positive_prompt: fields.positive_prompt,
    negative_prompt: fields.negative_prompt ?? null,
    seed: numberOrNull(s.Seed),
    sampler: stringOrNull(s.Sampler),
    scheduler: stringOrNull(s['Schedule type']),
    steps: integerOrNull(s.Steps),
    cfg_scale: numberOrNull(s['CFG scale']),
    width: size ? Number(size[1]) : null,
    height: size ? Number(size[2]) : null,
    checkpoint: stringOrNull(s.Model),
    checkpoint_hash: stringOrNull(s['Model hash']),
    loras,
    infotext,
    extra,
  };
}
