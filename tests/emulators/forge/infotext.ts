/**
 * `processing.create_infotext` and `Processed.js()`: the `parameters` PNG text and the
 * `info` JSON string of a generation response.
 */
import { pyJson, pyStr } from './py-json.ts';

/** The subset of `StableDiffusionProcessing` (p) the texts are built from. */
export interface Processing {
  allPrompts: string[];
  allNegativePrompts: string[];
  allSeeds: number[];
  allSubseeds: number[];
  batchSize: number;
  steps: number;
  samplerName: string;
  /** p.scheduler after `fix_p_invalid_sampler_and_scheduler`: a label, "Automatic" by default */
  scheduler: string;
  cfgScale: unknown;
  width: number;
  height: number;
  restoreFaces: boolean;
  tiling: boolean;
  subseedStrength: unknown;
  seedResizeFromW: number;
  seedResizeFromH: number;
  denoisingStrength: unknown;
  sdModelName: string;
  sdModelHash: string | null;
  extraGenerationParams: Record<string, unknown>;
  styles: string[];
  jobTimestamp: string;
}

export function createInfotext(p: Processing, index: number, opts: Record<string, unknown>, version: string): string {
  const clipSkip = Number(opts.CLIP_stop_at_last_layers ?? 1);
  const params: Record<string, unknown> = {
    Steps: p.steps,
    Sampler: p.samplerName,
    'Schedule type': p.scheduler,
    'CFG scale': p.cfgScale,
    'Image CFG scale': null,
    Seed: p.allSeeds[index],
    'Face restoration': p.restoreFaces ? opts.face_restoration_model : null,
    Size: `${p.width}x${p.height}`,
    'Model hash': opts.add_model_hash_to_info ? p.sdModelHash : null,
    Model: opts.add_model_name_to_info ? p.sdModelName : null,
    'Variation seed': Number(pyStr(p.subseedStrength)) === 0 ? null : p.allSubseeds[index],
    'Variation seed strength': Number(pyStr(p.subseedStrength)) === 0 ? null : p.subseedStrength,
    'Seed resize from': p.seedResizeFromW <= 0 || p.seedResizeFromH <= 0 ? null : `${p.seedResizeFromW}x${p.seedResizeFromH}`,
    'Denoising strength': p.extraGenerationParams['Denoising strength'] ?? null,
    'Clip skip': clipSkip <= 1 ? null : clipSkip,
    RNG: opts.randn_source !== 'GPU' ? opts.randn_source : null,
    Tiling: p.tiling ? 'True' : null,
    ...p.extraGenerationParams,
    Version: opts.add_version_to_infotext ? version : null,
  };
  const text = Object.entries(params)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => (k === v ? k : `${k}: ${quote(v)}`))
    .join(', ');
  const negative = p.allNegativePrompts[index] ? `\nNegative prompt: ${p.allNegativePrompts[index]}` : '';
  return `${p.allPrompts[index]}${negative}\n${text}`.trim();
}

/** `infotext_utils.quote` */
function quote(value: unknown): string {
  const s = pyStr(value);
  return s.includes(',') || s.includes('\n') || s.includes(':') ? JSON.stringify(s) : s;
}

/** `Processed.js()`: json.dumps with Python's default separators and ASCII escapes. */
export function processedJs(
  p: Processing,
  infotexts: string[],
  opts: Record<string, unknown>,
  version: string,
  indexOfFirstImage: number,
): string {
  return pyJson(
    {
      prompt: p.allPrompts[0],
      all_prompts: p.allPrompts,
      negative_prompt: p.allNegativePrompts[0],
      all_negative_prompts: p.allNegativePrompts,
      seed: p.allSeeds[0],
      all_seeds: p.allSeeds,
      subseed: p.allSubseeds[0],
      all_subseeds: p.allSubseeds,
      subseed_strength: p.subseedStrength,
      width: p.width,
      height: p.height,
      sampler_name: p.samplerName,
      cfg_scale: p.cfgScale,
      steps: p.steps,
      batch_size: p.batchSize,
      restore_faces: p.restoreFaces,
      face_restoration_model: p.restoreFaces ? opts.face_restoration_model : null,
      sd_model_name: p.sdModelName,
      sd_model_hash: p.sdModelHash,
      sd_vae_name: null,
      sd_vae_hash: null,
      seed_resize_from_w: p.seedResizeFromW,
      seed_resize_from_h: p.seedResizeFromH,
      denoising_strength: p.denoisingStrength,
      extra_generation_params: p.extraGenerationParams,
      index_of_first_image: indexOfFirstImage,
      infotexts,
      styles: p.styles,
      job_timestamp: p.jobTimestamp,
      clip_skip: Number(opts.CLIP_stop_at_last_layers ?? 1),
      is_using_inpainting_conditioning: false,
      version,
    },
    'json.dumps',
  );
}
