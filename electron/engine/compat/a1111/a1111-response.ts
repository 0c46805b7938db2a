/**
 * A finished job as A1111's answer to txt2img/img2img: `images` (base64 of the saved
 * files, byte for byte, so the PNG `parameters` chunk is there), `parameters` (the request
 * with A1111's defaults filled in) and `info` (a JSON string as `Processed.js()` makes it,
 * with the seeds and infotexts of the images the job kept).
 */
import fs from 'node:fs/promises';
import type { ImageKind } from '../../../../shared/images.ts';
import type { GalleryStore, ImageRow } from '../../gallery/gallery-store.ts';
import type { JobRow } from '../../queue/job-row.ts';
import type { ImageStore } from '../../results/image-store.ts';
import type { A1111Mode } from './a1111-request.ts';

export interface A1111GenerationResponse {
  images: string[];
  parameters: Record<string, unknown>;
  info: string;
}

/** A1111's order of `images`: the grid first, then the results, then extension images (detected maps). */
const ANSWER_ORDER: Record<ImageKind, number> = { grid: 0, result: 1, control_map: 2 };

/** The job's images in A1111's order (a server may have kept grids and maps with the results). */
function inAnswerOrder(images: ImageRow[]): ImageRow[] {
  return [...images].sort((a, b) => ANSWER_ORDER[a.kind ?? 'result'] - ANSWER_ORDER[b.kind ?? 'result'] || a.idx - b.idx);
}

/** The request fields A1111 echoes with their defaults (StableDiffusionProcessing*API). */
const COMMON_DEFAULTS: Record<string, unknown> = {
  prompt: '', negative_prompt: '', styles: null, seed: -1, subseed: -1, subseed_strength: 0,
  seed_resize_from_h: -1, seed_resize_from_w: -1, sampler_name: null, scheduler: null, batch_size: 1, n_iter: 1,
  steps: 50, cfg_scale: 7, width: 512, height: 512, restore_faces: null, tiling: null,
  do_not_save_samples: false, do_not_save_grid: false, eta: null, denoising_strength: null,
  s_min_uncond: null, s_churn: null, s_tmax: null, s_tmin: null, s_noise: null,
  override_settings: null, override_settings_restore_afterwards: true, refiner_checkpoint: null,
  refiner_switch_at: null, disable_extra_networks: false, comments: null, sampler_index: 'Euler',
  script_name: null, script_args: [], send_images: true, save_images: false, alwayson_scripts: {}, infotext: null,
};
const MODE_DEFAULTS: Record<A1111Mode, Record<string, unknown>> = {
  txt2img: {
    enable_hr: false, firstphase_width: 0, firstphase_height: 0, hr_scale: 2, hr_upscaler: null,
    hr_second_pass_steps: 0, hr_resize_x: 0, hr_resize_y: 0, hr_checkpoint_name: null, hr_sampler_name: null,
    hr_scheduler: null, hr_prompt: '', hr_negative_prompt: '', force_task_id: null,
  },
  img2img: {
    init_images: null, resize_mode: 0, image_cfg_scale: null, mask: null, mask_blur_x: 4, mask_blur_y: 4,
    mask_blur: null, inpainting_fill: 0, inpaint_full_res: true, inpaint_full_res_padding: 0,
    inpainting_mask_invert: 0, initial_noise_multiplier: null, latent_mask: null, include_init_images: false,
    denoising_strength: 0.75, force_task_id: null,
  },
};

/** `parameters`: the request with defaults; img2img's images are left out unless asked for, as A1111 does. */
export function a1111Parameters(mode: A1111Mode, body: Record<string, unknown>): Record<string, unknown> {
  const parameters = { ...COMMON_DEFAULTS, ...MODE_DEFAULTS[mode], ...body };
  if (mode === 'img2img' && !body.include_init_images) {
    parameters.init_images = null;
    parameters.mask = null;
  }
  return parameters;
}

function numberOr(value: unknown, fallback: number | null): number | null {
  return typeof value === 'number' ? value : fallback;
}

/** `info`: what A1111's Processed.js() says, from the job's params, its result details and its images. */
/** `images` must be in answer order (inAnswerOrder). */
export function a1111Info(row: JobRow, images: ImageRow[], body: Record<string, unknown>, version: string): string {
  const params = JSON.parse(row.generation_params_json) as Record<string, unknown>;
  const details = (row.result_details_json ? JSON.parse(row.result_details_json) : {}) as Record<string, unknown>;
  const prompt = typeof params.positive_prompt === 'string' ? params.positive_prompt : '';
  const negative = typeof params.negative_prompt === 'string' ? params.negative_prompt : '';
  const results = images.filter((i) => (i.kind ?? 'result') === 'result');
  const seeds = results.map((i) => i.seed).filter((s): s is number => typeof s === 'number');
  const allSeeds = Array.isArray(details.all_seeds) ? details.all_seeds as number[] : seeds;
  const seed = numberOr(details.seed, allSeeds[0] ?? numberOr(params.seed, -1));
  const subseed = numberOr(params.subseed, -1);
  const count = Math.max(results.length, 1);
  const info = {
    prompt, all_prompts: Array(count).fill(prompt), negative_prompt: negative, all_negative_prompts: Array(count).fill(negative),
    seed, all_seeds: allSeeds, subseed, all_subseeds: allSeeds.map(() => subseed), subseed_strength: numberOr(params.subseed_strength, 0),
    width: numberOr(params.width, 512), height: numberOr(params.height, 512),
    sampler_name: typeof params.sampler_name === 'string' ? params.sampler_name : 'Euler',
    cfg_scale: numberOr(params.cfg_scale, 7), steps: numberOr(params.steps, 50), batch_size: numberOr(params.batch_size, 1),
    restore_faces: params.restore_faces === true, face_restoration_model: null,
    sd_model_name: details.sd_model_name ?? null, sd_model_hash: details.sd_model_hash ?? null,
    sd_vae_name: null, sd_vae_hash: null,
    seed_resize_from_w: numberOr(params.seed_resize_from_w, -1), seed_resize_from_h: numberOr(params.seed_resize_from_h, -1),
    denoising_strength: numberOr(params.denoising_strength, row.mode === 'img2img' ? 0.75 : null),
    extra_generation_params: {}, index_of_first_image: images.filter((i) => i.kind === 'grid').length,
    // One per grid and result, none for extension images, as A1111 and Forge answer.
    infotexts: images.filter((i) => i.kind !== 'control_map').map((i) => i.infotext ?? ''),
    styles: Array.isArray(body.styles) ? body.styles : [],
    job_timestamp: (row.started_timestamp ?? row.creation_timestamp).replace(/[^0-9]/g, '').slice(0, 14),
    clip_skip: numberOr((params.override_settings as Record<string, unknown> | undefined)?.CLIP_stop_at_last_layers, 1),
    is_using_inpainting_conditioning: false,
    version,
  };
  return JSON.stringify(info);
}

/** The whole answer for a job that ended (completed, or cancelled with what it had). */
export async function a1111Response(
  deps: { gallery: GalleryStore; images: ImageStore; version: string }, row: JobRow, body: Record<string, unknown>,
): Promise<A1111GenerationResponse> {
  const rows = inAnswerOrder(deps.gallery.forJob(row.mobilesd_job_id));
  const images = body.send_images === false ? [] : await Promise.all(
    rows.map(async (image) => (await fs.readFile(deps.images.absolute(image.file_path))).toString('base64')),
  );
  return { images, parameters: a1111Parameters(row.mode, body), info: a1111Info(row, rows, body, deps.version) };
}
