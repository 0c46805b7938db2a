import { describe, expect, it } from 'vitest';
import { mapSampler } from '../../../electron/engine/backends/comfyui/sampler-map.ts';

describe('mapSampler (A1111 names → ComfyUI)', () => {
  it.each([
    ['Euler a', undefined, 'euler_ancestral', 'normal'],
    ['Euler', undefined, 'euler', 'normal'],
    ['DPM++ 2M', undefined, 'dpmpp_2m', 'normal'],
    ['DPM++ 2M Karras', undefined, 'dpmpp_2m', 'karras'],
    ['DPM++ SDE Karras', undefined, 'dpmpp_sde', 'karras'],
    ['DPM++ 2M SDE Exponential', undefined, 'dpmpp_2m_sde', 'exponential'],
    ['DPM++ 2S a', undefined, 'dpmpp_2s_ancestral', 'normal'],
    ['DPM++ 3M SDE', undefined, 'dpmpp_3m_sde', 'normal'],
    ['UniPC', undefined, 'uni_pc', 'normal'],
    ['LCM', undefined, 'lcm', 'normal'],
    ['DDIM', 'DDIM', 'ddim', 'ddim_uniform'],
    ['k_euler_a', undefined, 'euler_ancestral', 'normal'],
    ['k_dpmpp_2m', undefined, 'dpmpp_2m', 'normal'],
  ])('%s (+ %s) → %s / %s', (sampler, scheduler, comfySampler, comfyScheduler) => {
    expect(mapSampler(sampler, scheduler)).toEqual({ sampler_name: comfySampler, scheduler: comfyScheduler });
  });

  it('takes A1111 1.9+ scheduler labels from their own field', () => {
    expect(mapSampler('DPM++ 2M', 'Karras')).toEqual({ sampler_name: 'dpmpp_2m', scheduler: 'karras' });
    expect(mapSampler('Euler a', 'SGM Uniform')).toEqual({ sampler_name: 'euler_ancestral', scheduler: 'sgm_uniform' });
    expect(mapSampler('Euler a', 'Automatic')).toEqual({ sampler_name: 'euler_ancestral', scheduler: 'normal' });
    expect(mapSampler('DPM++ 2M', 'KL Optimal')).toEqual({ sampler_name: 'dpmpp_2m', scheduler: 'kl_optimal' });
  });

  it('an explicit scheduler wins over a name suffix', () => {
    expect(mapSampler('DPM++ 2M Karras', 'Exponential')).toEqual({ sampler_name: 'dpmpp_2m', scheduler: 'exponential' });
  });

  it('passes ComfyUI names and unknown names through unchanged', () => {
    expect(mapSampler('dpmpp_2m_sde_gpu', 'beta')).toEqual({ sampler_name: 'dpmpp_2m_sde_gpu', scheduler: 'beta' });
    expect(mapSampler('My Custom Sampler', 'my_sched')).toEqual({ sampler_name: 'My Custom Sampler', scheduler: 'my_sched' });
  });

  it('defaults to euler / normal', () => {
    expect(mapSampler(undefined, undefined)).toEqual({ sampler_name: 'euler', scheduler: 'normal' });
    expect(mapSampler('  ', null)).toEqual({ sampler_name: 'euler', scheduler: 'normal' });
  });
});
