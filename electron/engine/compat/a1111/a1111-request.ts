/**
 * An A1111 /sdapi/v1/txt2img|img2img body as a StableQueue job. Every A1111 field passes
 * through untouched (the Forge backend sends it on), except the ones StableQueue names
 * itself: `prompt` is the job's positive_prompt, `override_settings.sd_model_checkpoint`
 * its checkpoint (else the checkpoint the caller chose with POST /options, else whatever
 * the server has loaded), and `force_task_id` stays with the facade, which uses it to
 * recognise a retried call. Bodies are checked the way A1111's pydantic model does (types,
 * 422 with `detail` items), then against StableQueue's own limits.
 */
import { Compile } from 'typebox/compile';
import { GenerationParamsSchema, type GenerateRequest, type GenerationParams } from '../../../../shared/jobs.ts';

export type A1111Mode = 'txt2img' | 'img2img';

/** One FastAPI/pydantic v1 validation item. */
export interface PydanticError {
  loc: (string | number)[];
  msg: string;
  type: string;
  ctx?: Record<string, unknown>;
}

type FieldType = 'int' | 'float' | 'str' | 'bool' | 'dict' | 'list';

/** The typed fields of A1111's generation models (the rest are optional and free). */
const FIELD_TYPES: Record<string, FieldType> = {
  prompt: 'str', negative_prompt: 'str', sampler_name: 'str', sampler_index: 'str', scheduler: 'str',
  force_task_id: 'str', hr_upscaler: 'str', hr_checkpoint_name: 'str', hr_sampler_name: 'str', hr_scheduler: 'str',
  hr_prompt: 'str', hr_negative_prompt: 'str', script_name: 'str', refiner_checkpoint: 'str', mask: 'str',
  seed: 'int', subseed: 'int', steps: 'int', width: 'int', height: 'int', batch_size: 'int', n_iter: 'int',
  seed_resize_from_h: 'int', seed_resize_from_w: 'int', hr_second_pass_steps: 'int', hr_resize_x: 'int', hr_resize_y: 'int',
  firstphase_width: 'int', firstphase_height: 'int', resize_mode: 'int', mask_blur: 'int', inpainting_fill: 'int',
  inpaint_full_res_padding: 'int', inpainting_mask_invert: 'int',
  cfg_scale: 'float', denoising_strength: 'float', subseed_strength: 'float', hr_scale: 'float', eta: 'float',
  s_churn: 'float', s_tmin: 'float', s_tmax: 'float', s_noise: 'float', s_min_uncond: 'float', image_cfg_scale: 'float',
  refiner_switch_at: 'float', distilled_cfg_scale: 'float', hr_cfg: 'float', hr_distilled_cfg: 'float',
  restore_faces: 'bool', tiling: 'bool', enable_hr: 'bool', send_images: 'bool', save_images: 'bool',
  include_init_images: 'bool', do_not_save_samples: 'bool', do_not_save_grid: 'bool', inpaint_full_res: 'bool',
  override_settings_restore_afterwards: 'bool', disable_extra_networks: 'bool',
  override_settings: 'dict', alwayson_scripts: 'dict',
  styles: 'list', init_images: 'list', script_args: 'list',
};

const TYPE_ERRORS: Record<FieldType, { msg: string; type: string }> = {
  int: { msg: 'value is not a valid integer', type: 'type_error.integer' },
  float: { msg: 'value is not a valid float', type: 'type_error.float' },
  str: { msg: 'str type expected', type: 'type_error.str' },
  bool: { msg: 'value could not be parsed to a boolean', type: 'type_error.bool' },
  dict: { msg: 'value is not a valid dict', type: 'type_error.dict' },
  list: { msg: 'value is not a valid list', type: 'type_error.list' },
};

/** pydantic v1's coercions: "5" is an int, 5.7 an int 5, "true" a bool. Undefined = not coercible. */
function coerce(type: FieldType, value: unknown): unknown {
  switch (type) {
    case 'int':
      if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
      if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
      return undefined;
    case 'float':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return undefined;
    case 'str':
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === 'string' && /^(true|false|yes|no|on|off|1|0)$/i.test(value.trim())) return /^(true|yes|on|1)$/i.test(value.trim());
      return undefined;
    case 'dict':
      return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
    case 'list':
      return Array.isArray(value) ? value : undefined;
  }
}

/** StableQueue's names for A1111 fields, to report a limit under the name the client sent. */
const CLIENT_NAMES: Record<string, string> = { positive_prompt: 'prompt' };
const checkParams = Compile(GenerationParamsSchema);

export type ParsedA1111Body = { ok: true; body: Record<string, unknown> } | { ok: false; errors: PydanticError[] };

/** The body with A1111's coercions applied, or the 422 items A1111 would answer. */
export function parseA1111Body(raw: unknown): ParsedA1111Body {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ loc: ['body'], ...TYPE_ERRORS.dict }] };
  }
  const body: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const errors: PydanticError[] = [];
  for (const [field, value] of Object.entries(body)) {
    const type = FIELD_TYPES[field];
    if (!type || value === null) continue;
    const coerced = coerce(type, value);
    if (coerced === undefined) errors.push({ loc: ['body', field], ...TYPE_ERRORS[type] });
    else body[field] = coerced;
  }
  return errors.length ? { ok: false, errors } : { ok: true, body };
}

export interface CallerDefaults {
  /** The checkpoint the caller chose with POST /options, if any. */
  checkpoint: string | null;
  /** Other options the caller set with POST /options: they apply to its jobs as override_settings. */
  overrides: Record<string, unknown>;
}

/** The job for an A1111 body, or the 422 items for values beyond StableQueue's limits. */
export function toGenerateRequest(mode: A1111Mode, body: Record<string, unknown>, defaults: CallerDefaults):
  { ok: true; request: GenerateRequest } | { ok: false; errors: PydanticError[] } {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (value !== null) params[key] = value;
  delete params.force_task_id;
  params.positive_prompt = typeof body.prompt === 'string' ? body.prompt : '';
  delete params.prompt;
  const overrides: Record<string, unknown> = { ...defaults.overrides, ...(body.override_settings as Record<string, unknown> | undefined) };
  const checkpoint = typeof overrides.sd_model_checkpoint === 'string' && overrides.sd_model_checkpoint
    ? overrides.sd_model_checkpoint : defaults.checkpoint;
  delete overrides.sd_model_checkpoint;
  if (Object.keys(overrides).length) params.override_settings = overrides;
  else delete params.override_settings;
  if (checkpoint) params.checkpoint_name = checkpoint;

  const errors = [...checkParams.Errors(params)].slice(0, 10).map((e): PydanticError => {
    const field = e.instancePath.split('/').filter(Boolean)[0] ?? '';
    return { loc: ['body', CLIENT_NAMES[field] ?? field], msg: `StableQueue accepts no such value: ${e.message}`, type: 'value_error.stablequeue_limit', ctx: e.params as Record<string, unknown> };
  });
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    request: { target_server_alias: 'auto', app_type: 'forge', mode, generation_params: params as GenerationParams },
  };
}
