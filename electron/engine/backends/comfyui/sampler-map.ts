/** A KSampler's `sampler_name` and `scheduler`. */
export interface ComfySampler {
  sampler_name: string;
  scheduler: string;
}

export const DEFAULT_SAMPLER: ComfySampler = { sampler_name: 'euler', scheduler: 'normal' };

/** A1111/Forge sampler labels (lower-cased) → ComfyUI sampler names. */
const SAMPLERS: Record<string, string> = {
  'euler': 'euler',
  'euler a': 'euler_ancestral',
  'euler_a': 'euler_ancestral',
  'euler cfg++': 'euler_cfg_pp',
  'euler a cfg++': 'euler_ancestral_cfg_pp',
  'heun': 'heun',
  'heunpp2': 'heunpp2',
  'lms': 'lms',
  'dpm2': 'dpm_2',
  'dpm2 a': 'dpm_2_ancestral',
  'dpm fast': 'dpm_fast',
  'dpm adaptive': 'dpm_adaptive',
  'dpm++ 2s a': 'dpmpp_2s_ancestral',
  'dpm++ sde': 'dpmpp_sde',
  'dpm++ 2m': 'dpmpp_2m',
  'dpm++ 2m cfg++': 'dpmpp_2m_cfg_pp',
  'dpm++ 2m sde': 'dpmpp_2m_sde',
  'dpm++ 2m sde heun': 'dpmpp_2m_sde_heun',
  'dpm++ 3m sde': 'dpmpp_3m_sde',
  'ddim': 'ddim',
  'ddpm': 'ddpm',
  'unipc': 'uni_pc',
  'uni pc': 'uni_pc',
  'lcm': 'lcm',
  'ipndm': 'ipndm',
  'ipndm_v': 'ipndm_v',
  'deis': 'deis',
  'res multistep': 'res_multistep',
};

/** A1111 scheduler labels (lower-cased, spaces as _) → ComfyUI schedulers; 'automatic' keeps the default. */
const SCHEDULERS: Record<string, string | null> = {
  automatic: null,
  uniform: 'normal',
  normal: 'normal',
  karras: 'karras',
  exponential: 'exponential',
  sgm_uniform: 'sgm_uniform',
  kl_optimal: 'kl_optimal',
  simple: 'simple',
  ddim: 'ddim_uniform',
  ddim_uniform: 'ddim_uniform',
  beta: 'beta',
  linear_quadratic: 'linear_quadratic',
};

/** Old-style labels carry the scheduler as a suffix: "DPM++ 2M Karras". */
const SCHEDULER_SUFFIXES: [string, string][] = [
  [' karras', 'karras'],
  [' exponential', 'exponential'],
  [' sgm uniform', 'sgm_uniform'],
];

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ');
}

function mapScheduler(name: string | null | undefined): string | null {
  if (!name?.trim()) return null;
  const key = normalise(name).replace(/ /g, '_');
  if (Object.hasOwn(SCHEDULERS, key)) return SCHEDULERS[key];
  // Unknown names go through as given: ComfyUI's validation names them if they are wrong.
  return name.trim();
}

/**
 * Maps a job's A1111-style sampler and scheduler to ComfyUI's: "Euler a" → euler_ancestral,
 * "DPM++ 2M Karras" → dpmpp_2m + karras. ComfyUI's own names ("dpmpp_2m") pass through,
 * as do names we do not know, so a custom sampler on the server still works.
 */
export function mapSampler(samplerName?: string | null, schedulerName?: string | null): ComfySampler {
  let scheduler = mapScheduler(schedulerName);
  let key = samplerName ? normalise(samplerName) : '';
  for (const [suffix, implied] of SCHEDULER_SUFFIXES) {
    if (key.endsWith(suffix) && Object.hasOwn(SAMPLERS, key.slice(0, -suffix.length))) {
      key = key.slice(0, -suffix.length);
      scheduler ??= implied;
    }
  }
  // A1111's API aliases: k_euler_a, k_dpmpp_2m…
  const alias = key.startsWith('k_') ? key.slice(2) : null;
  const sampler = !key ? DEFAULT_SAMPLER.sampler_name : SAMPLERS[key] ?? (alias ? SAMPLERS[alias] ?? alias : samplerName!.trim());
  return { sampler_name: sampler, scheduler: scheduler ?? DEFAULT_SAMPLER.scheduler };
}
