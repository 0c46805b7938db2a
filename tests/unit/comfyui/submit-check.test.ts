import { describe, expect, it } from 'vitest';
import { comfySubmitProblem } from '../../../electron/engine/backends/comfyui/submit-check.ts';
import { mapSampler } from '../../../electron/engine/backends/comfyui/sampler-map.ts';
import { NodeProgress, runningNodeOf } from '../../../electron/engine/backends/comfyui/node-progress.ts';
import { sd15Default } from './fixtures/api-workflows.ts';

describe('what a ComfyUI job is refused for at submit', () => {
  it.each([
    ['PLMS', undefined, 'unknown_sampler'],
    ['Restart', undefined, 'unknown_sampler'],
    ['Euler a', 'Align Your Steps', 'unknown_scheduler'],
    ['DPM++ 2M', 'Turbo', 'unknown_scheduler'],
  ])('sampler %s / scheduler %s → %s, with the valid names', (sampler, scheduler, code) => {
    const problem = comfySubmitProblem({ positive_prompt: 'x', sampler_name: sampler, scheduler });
    expect(problem?.code).toBe(code);
    expect(problem?.message).toContain(code === 'unknown_sampler' ? sampler : scheduler);
    expect(problem?.message).toContain(code === 'unknown_sampler' ? 'dpmpp_2m_sde' : 'kl_optimal');
  });

  it.each([
    ['DPM++ 2M SGMUniform', undefined],
    ['DPM++ 2M Karras', undefined],
    ['Euler a', 'SGM Uniform'],
    ['dpmpp_3m_sde_gpu', 'beta'],
    ['UniPC', 'Automatic'],
    [undefined, undefined],
  ])('accepts %s / %s', (sampler, scheduler) => {
    expect(comfySubmitProblem({ positive_prompt: 'x', sampler_name: sampler, scheduler })).toBeNull();
  });

  it('"DPM++ 2M SGMUniform" becomes dpmpp_2m with sgm_uniform', () => {
    expect(mapSampler('DPM++ 2M SGMUniform')).toEqual({ sampler_name: 'dpmpp_2m', scheduler: 'sgm_uniform' });
  });

  it('explains a UI-format workflow and a POST /prompt body; accepts an API graph', () => {
    expect(comfySubmitProblem({ workflow: { last_node_id: 3, nodes: [], links: [] } })).toMatchObject({ code: 'invalid_workflow', message: expect.stringMatching(/UI workflow format/) });
    expect(comfySubmitProblem({ workflow: { prompt: sd15Default, client_id: 'abc' } })).toMatchObject({ code: 'invalid_workflow', message: expect.stringMatching(/POST \/prompt body/) });
    expect(comfySubmitProblem({ workflow: sd15Default })).toBeNull();
  });
});

describe('node-level progress text', () => {
  it('counts the nodes that run, not the cached ones, and names the running one', () => {
    const nodes = new NodeProgress(sd15Default);
    nodes.cached(['4', '5', '6', '7']);
    expect(nodes.executing('3')).toBe('node 1/3 · KSampler');
    expect(nodes.executing('3')).toBeNull();
    expect(nodes.executing('8')).toBe('node 2/3 · VAEDecode');
    expect(nodes.executing(runningNodeOf({ nodes: { 8: { state: 'finished' }, 9: { state: 'running' } } }))).toBe('node 3/3 · SaveImage');
  });

  it('gives the share of nodes done, for graphs without samplers', () => {
    const nodes = new NodeProgress({
      1: { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      2: { class_type: 'ImageUpscaleWithModel', inputs: { image: ['1', 0] } },
      3: { class_type: 'SaveImage', inputs: { images: ['2', 0] } },
      4: { class_type: 'UpscaleModelLoader', inputs: { model_name: 'x' } },
    });
    nodes.executing('1');
    nodes.executing('4');
    nodes.executing('2');
    expect(nodes.fraction()).toBe(0.5);
  });

  it('without the graph (a reattached prompt) it counts without a total', () => {
    const nodes = new NodeProgress(null);
    expect(nodes.executing('12')).toBe('node 1');
  });
});
