/** A KSampler's `sampler_name` and `scheduler`. */
export interface ComfySampler {
  sampler_name: string;
  scheduler: string;
}

export const DEFAULT_SAMPLER: ComfySampler = { sampler_name: 'euler', scheduler: 'normal' };

/** KSampler's `sampler_name` choices in ComfyUI (comfy/samplers.py SAMPLER_NAMES). */
export const COMFY_SAMPLERS: readonly string[] = [
  'euler', 'euler_cfg_pp', 'euler_ancestral', 'euler_ancestral_cfg_pp', 'heun', 'heunpp2', 'dpm_2', 'dpm_2_ancestral',
  'lms', 'dpm_fast', 'dpm_adaptive', 'dpmpp_2s_ancestral', 'dpmpp_2s_ancestral_cfg_pp', 'dpmpp_sde', 'dpmpp_sde_gpu',
  'dpmpp_2m', 'dpmpp_2m_cfg_pp', 'dpmpp_2m_sde', 'dpmpp_2m_sde_gpu', 'dpmpp_2m_sde_heun', 'dpmpp_2m_sde_heun_gpu',
  'dpmpp_3m_sde', 'dpmpp_3m_sde_gpu', 'ddpm', 'lcm', 'ipndm', 'ipndm_v', 'deis', 'res_multistep', 'res_multistep_cfg_pp',
  'res_multistep_ancestral', 'res_multistep_ancestral_cfg_pp', 'gradient_estimation', 'gradient_estimation_cfg_pp',
  'er_sde', 'seeds_2', 'seeds_3', 'sa_solver', 'sa_solver_pece', 'ddim', 'uni_pc', 'uni_pc_bh2',
];

/** KSampler's `scheduler` choices in ComfyUI (comfy/samplers.py SCHEDULER_NAMES). */
export const COMFY_SCHEDULERS: readonly string[] = [
  'simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'beta', 'normal', 'linear_quadratic', 'kl_optimal',
];

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
  sgmuniform: 'sgm_uniform',
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
  [' sgmuniform', 'sgm_uniform'],
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

/**
 * A job's sampler or scheduler that ComfyUI's KSampler does not have, even after the
 * A1111 names are translated (PLMS, Restart, "Align Your Steps" have no equivalent there):
 * caught at submit, with the names that work, instead of failing on the server.
 */
export function unknownSamplerChoice(samplerName?: string | null, schedulerName?: string | null): { field: 'sampler_name' | 'scheduler'; value: string; valid: readonly string[] } | null {
  const mapped = mapSampler(samplerName, schedulerName);
  if (!COMFY_SAMPLERS.includes(mapped.sampler_name)) return { field: 'sampler_name', value: samplerName ?? '', valid: COMFY_SAMPLERS };
  if (!COMFY_SCHEDULERS.includes(mapped.scheduler)) return { field: 'scheduler', value: schedulerName ?? '', valid: COMFY_SCHEDULERS };
  return null;
}
