/**
 * The txt2img / img2img request models (`modules/api/models.py`): every field of the
 * `StableDiffusionProcessing*` dataclass plus the API-only fields, all Optional, unknown
 * keys ignored. Validation and coercion follow pydantic v2 lax mode for Forge and
 * pydantic v1 for A1111; the result (with defaults) is what the server echoes as `parameters`.
 */
import { RequestValidationError, type ValidationIssue } from './errors.ts';
import { PyFloat, pyFloat, pyStr } from './py-json.ts';
import type { Flavor } from './types.ts';

type FieldType = 'int' | 'float' | 'str' | 'bool' | 'dict' | 'list' | 'strlist' | 'any';
type FieldDef = readonly [name: string, type: FieldType, fallback: unknown, only?: Flavor];

export type GenerationRoute = 'txt2img' | 'img2img';

/** StableDiffusionProcessing fields, in dataclass order. */
const BASE: FieldDef[] = [
  ['prompt', 'str', ''],
  ['negative_prompt', 'str', ''],
  ['styles', 'strlist', null],
  ['seed', 'int', -1],
  ['subseed', 'int', -1],
  ['subseed_strength', 'float', 0],
  ['seed_resize_from_h', 'int', -1],
  ['seed_resize_from_w', 'int', -1],
  ['sampler_name', 'str', null],
  ['scheduler', 'str', null],
  ['batch_size', 'int', 1],
  ['n_iter', 'int', 1],
  ['steps', 'int', 50],
  ['cfg_scale', 'float', pyFloat(7)],
  ['distilled_cfg_scale', 'float', pyFloat(3.5), 'forge'],
  ['width', 'int', 512],
  ['height', 'int', 512],
  ['restore_faces', 'bool', null],
  ['tiling', 'bool', null],
  ['do_not_save_samples', 'bool', false],
  ['do_not_save_grid', 'bool', false],
  ['eta', 'float', null],
  ['denoising_strength', 'float', null],
  ['s_min_uncond', 'float', null],
  ['s_churn', 'float', null],
  ['s_tmax', 'float', null],
  ['s_tmin', 'float', null],
  ['s_noise', 'float', null],
  ['override_settings', 'dict', null],
  ['override_settings_restore_afterwards', 'bool', true],
  ['refiner_checkpoint', 'str', null],
  ['refiner_switch_at', 'float', null],
  ['disable_extra_networks', 'bool', false],
  ['firstpass_image', 'any', null],
  ['comments', 'dict', null],
];

const TXT2IMG: FieldDef[] = [
  ['enable_hr', 'bool', false],
  ['firstphase_width', 'int', 0],
  ['firstphase_height', 'int', 0],
  ['hr_scale', 'float', pyFloat(2)],
  ['hr_upscaler', 'str', null],
  ['hr_second_pass_steps', 'int', 0],
  ['hr_resize_x', 'int', 0],
  ['hr_resize_y', 'int', 0],
  ['hr_checkpoint_name', 'str', null],
  ['hr_additional_modules', 'list', null, 'forge'],
  ['hr_sampler_name', 'str', null],
  ['hr_scheduler', 'str', null],
  ['hr_prompt', 'str', ''],
  ['hr_negative_prompt', 'str', ''],
  ['hr_cfg', 'float', pyFloat(1), 'forge'],
  ['hr_distilled_cfg', 'float', pyFloat(3.5), 'forge'],
  ['force_task_id', 'str', null],
];

const IMG2IMG: FieldDef[] = [
  ['init_images', 'list', null],
  ['resize_mode', 'int', 0],
  ['image_cfg_scale', 'float', null],
  ['mask', 'str', null],
  ['mask_blur_x', 'int', 4],
  ['mask_blur_y', 'int', 4],
  ['mask_blur', 'int', null],
  ['mask_round', 'bool', true],
  ['inpainting_fill', 'int', 0],
  ['inpaint_full_res', 'bool', true],
  ['inpaint_full_res_padding', 'int', 0],
  ['inpainting_mask_invert', 'int', 0],
  ['initial_noise_multiplier', 'float', null],
  ['latent_mask', 'any', null],
  ['force_task_id', 'str', null],
];

/** Fields the API model adds (`additional_fields`). */
const API_ONLY: FieldDef[] = [
  ['sampler_index', 'str', 'Euler'],
  ['script_name', 'str', null],
  ['script_args', 'list', []],
  ['send_images', 'bool', true],
  ['save_images', 'bool', false],
  ['alwayson_scripts', 'dict', {}],
  ['infotext', 'str', null],
];

function fieldsFor(route: GenerationRoute, flavor: Flavor): FieldDef[] {
  const own = route === 'txt2img' ? TXT2IMG : [...IMG2IMG, ['include_init_images', 'bool', false] as const];
  const merged = new Map<string, FieldDef>();
  for (const def of [...BASE, ...own, ...API_ONLY]) {
    if (def[3] && def[3] !== flavor) continue;
    merged.set(def[0], def); // a redefinition keeps the first position, like the dataclass
  }
  const denoise = merged.get('denoising_strength')!;
  merged.set('denoising_strength', [denoise[0], denoise[1], pyFloat(0.75)]);
  return [...merged.values()];
}

/** Validates a decoded JSON body; returns every field with defaults filled in. */
export function parseGenerationBody(route: GenerationRoute, flavor: Flavor, body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RequestValidationError([{ loc: ['body'], kind: 'model', input: body }]);
  }
  const input = body as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, type, fallback] of fieldsFor(route, flavor)) {
    if (!(name in input)) {
      out[name] = fallback instanceof PyFloat ? fallback : structuredClone(fallback);
      continue;
    }
    out[name] = coerce(flavor, type, input[name], ['body', name], issues);
  }
  if (issues.length > 0) throw new RequestValidationError(issues);
  return out;
}

const BOOL_WORDS: Record<string, boolean> = {
  '0': false, off: false, f: false, false: false, n: false, no: false,
  '1': true, on: true, t: true, true: true, y: true, yes: true,
};

function coerce(flavor: Flavor, type: FieldType, value: unknown, loc: (string | number)[], issues: ValidationIssue[]): unknown {
  if (value === null || type === 'any') return value;
  const v1 = flavor === 'a1111';
  const fail = (kind: ValidationIssue['kind'], parsing = false): null => {
    issues.push({ loc, kind, input: value, parsing });
    return null;
  };
  switch (type) {
    case 'int': {
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'number') {
        if (Number.isInteger(value)) return value;
        return v1 && Number.isFinite(value) ? Math.trunc(value) : fail('int_from_float');
      }
      if (typeof value === 'string') return /^\s*[+-]?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : fail('int', true);
      return fail('int');
    }
    case 'float': {
      if (typeof value === 'boolean') return pyFloat(value ? 1 : 0);
      if (typeof value === 'number') return pyFloat(value);
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return pyFloat(Number(value));
      return fail('float', typeof value === 'string');
    }
    case 'str':
      if (typeof value === 'string') return value;
      if (v1 && (typeof value === 'number' || typeof value === 'boolean')) return pyStr(value);
      return fail('str');
    case 'bool': {
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === 'string' && value.toLowerCase() in BOOL_WORDS) return BOOL_WORDS[value.toLowerCase()];
      return fail('bool', typeof value === 'string' || typeof value === 'number');
    }
    case 'dict':
      return typeof value === 'object' && !Array.isArray(value) ? value : fail('dict');
    case 'list':
      return Array.isArray(value) ? value : fail('list');
    case 'strlist':
      if (!Array.isArray(value)) return fail('list');
      return value.map((item, i) => coerce(flavor, 'str', item, [...loc, i], issues));
  }
}
