import type { GenerationParams, Lora } from '../../../../shared/jobs.ts';

/** StableQueue's own job fields, which are not A1111 payload fields. Everything else passes through. */
const OWN_FIELDS = new Set([
  'positive_prompt', 'checkpoint_name', 'loras', 'vae', 'workflow', 'workflow_ui', 'randomize_seed',
  'scheduler_or_quality_preset', 'checkpoint_civitai_version_id', 'civitai_air', 'checkpoint_hash', 'keep_extra_images',
  'applied_styles', 'workflow_template', 'template_inputs',
]);

/** A1111 seeds: -1 means random; MobileSD's clients send '' or garbage for "random" too. */
export function normalizeSeed(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= -1) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Math.max(-1, Number.parseInt(value, 10));
  return -1;
}

function loraTag(lora: Lora): string {
  const name = lora.name.replace(/\.(safetensors|ckpt|pt)$/i, '').replace(/\\/g, '/');
  const base = name.slice(name.lastIndexOf('/') + 1);
  return `<lora:${base}:${lora.weight ?? 1}>`;
}

/** Appends `<lora:name:weight>` tags for LoRAs the prompt does not already mention. */
export function promptWithLoras(prompt: string, loras: Lora[] | undefined): string {
  if (!loras?.length) return prompt;
  const tags = loras
    .map(loraTag)
    .filter((tag) => !prompt.includes(tag.slice(0, tag.lastIndexOf(':'))));
  return tags.length ? `${prompt}${prompt && !/\s$/.test(prompt) ? ' ' : ''}${tags.join(' ')}` : prompt;
}

export interface PayloadOptions {
  /** The server's exact checkpoint title, already resolved; null keeps the loaded model. */
  checkpointTitle: string | null;
  /** Forge takes VAEs/text encoders as forge_additional_modules; A1111 as sd_vae. */
  isForge: boolean;
  /** Our id for this attempt on the server (`force_task_id`), so progress and cancel find it. */
  taskId?: string;
}

/**
 * Options that change the picture, with the server's defaults. A server runs a job with
 * its own current options wherever the job is silent, and on A1111 our jobs leave their
 * options set (see restoreAfterwards), so each job states all of them: a CLIP skip, VAE
 * or module list of an earlier job, or of someone using the server's own UI, must not
 * carry over. Keys a server lacks are dropped before sending (dropUnknownOverrides).
 */
const PICTURE_OPTION_DEFAULTS: Record<string, unknown> = {
  CLIP_stop_at_last_layers: 1,
  sd_vae: 'Automatic',
  eta_noise_seed_delta: 0,
  randn_source: 'GPU',
};
const FORGE_PICTURE_OPTION_DEFAULTS: Record<string, unknown> = {
  forge_additional_modules: [],
  forge_unet_storage_dtype: 'Automatic',
};

/** Forge's hires pass crashes without a module list; `[]` would unload the text encoders. */
const HIRES_SAME_MODULES = ['Use same choices'];

function namesOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' && value ? [value] : [];
  return list.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** The job's module list with its chosen VAE(s) added (a VAE never replaces the text encoders). */
function mergedModules(overrides: Record<string, unknown>, vae: unknown): string[] {
  const merged: string[] = [];
  for (const name of [...namesOf(overrides.forge_additional_modules), ...namesOf(vae)]) {
    if (!merged.includes(name)) merged.push(name);
  }
  return merged;
}

/**
 * Builds the /sdapi/v1/txt2img|img2img body: MobileSD's flat fields mapped to A1111 names,
 * and every other field the job carries (alwayson_scripts, hires fix, refiner…) untouched.
 */
export function buildForgePayload(params: GenerationParams, options: PayloadOptions): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!OWN_FIELDS.has(key)) payload[key] = value;
  }
  const prompt = typeof params.positive_prompt === 'string' ? params.positive_prompt : typeof params.prompt === 'string' ? params.prompt : '';
  payload.prompt = promptWithLoras(prompt, params.loras);
  payload.negative_prompt = typeof params.negative_prompt === 'string' ? params.negative_prompt : '';
  payload.seed = normalizeSeed(params.seed);
  if ('subseed' in params) payload.subseed = normalizeSeed(params.subseed);

  const overrides: Record<string, unknown> = {
    ...PICTURE_OPTION_DEFAULTS,
    ...(options.isForge ? FORGE_PICTURE_OPTION_DEFAULTS : {}),
    ...(typeof params.override_settings === 'object' && params.override_settings ? params.override_settings as Record<string, unknown> : {}),
  };
  if (options.checkpointTitle) overrides.sd_model_checkpoint = options.checkpointTitle;
  if (options.isForge) overrides.forge_additional_modules = mergedModules(overrides, params.vae);
  else if (namesOf(params.vae).length) overrides.sd_vae = namesOf(params.vae)[0];
  payload.override_settings = overrides;
  if (options.isForge && payload.enable_hr === true && namesOf(payload.hr_additional_modules).length === 0) {
    payload.hr_additional_modules = HIRES_SAME_MODULES;
  }
  if (options.taskId) payload.force_task_id = options.taskId;
  if (!('override_settings_restore_afterwards' in params)) payload.override_settings_restore_afterwards = restoreAfterwards(options.isForge);
  // We store the images ourselves; the server must send them and need not save them.
  payload.send_images = true;
  if (!('save_images' in params)) payload.save_images = false;
  return payload;
}

/**
 * Whether the server puts its own options back after our job. Forge selects checkpoints and
 * modules lazily (the weights load at the next generation, and only if they differ), so
 * restoring costs nothing and the person using Forge's own UI keeps their checkpoint,
 * modules and CLIP skip. A1111 reloads the old checkpoint at once when restoring, so
 * there the job's options stay set and the checkpoint stays loaded for the next job.
 */
function restoreAfterwards(isForge: boolean): boolean {
  return isForge;
}

/**
 * Removes override_settings keys the server does not have (e.g. Forge-only options sent
 * to A1111, which answers them with a 500 KeyError); returns the removed keys.
 */
export function dropUnknownOverrides(payload: Record<string, unknown>, knownKeys: Set<string> | null): string[] {
  const overrides = payload.override_settings as Record<string, unknown> | undefined;
  if (!knownKeys || !overrides) return [];
  const dropped = Object.keys(overrides).filter((key) => !knownKeys.has(key));
  for (const key of dropped) delete overrides[key];
  return dropped;
}
