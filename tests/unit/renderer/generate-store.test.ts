import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import { buildRequest, defaultForm, formFromParams, FORM_STORAGE_KEY, setFormStorage, useGenerate, validateForm } from '../../../renderer/src/stores/generate.ts';
import { checkWorkflow } from '../../../renderer/src/lib/workflow.ts';
import { createFakeFetch } from './fake-fetch.ts';

const API_WORKFLOW = {
  '3': { class_type: 'KSampler', inputs: { seed: 1, steps: 20 } },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'a.safetensors' } },
};

describe('buildRequest', () => {
  it('maps the basic fields', () => {
    const form = { ...defaultForm(), positive: 'a cat', negative: 'blurry', checkpoint: 'sdxl/juggernaut.safetensors', sampler: 'Euler a', scheduler: 'Karras', seed: 42, width: 832, height: 1216, steps: 30, cfg: 6.5, batchSize: 2, batchCount: 3, priority: 8 };
    expect(buildRequest(form)).toEqual({
      target_server_alias: 'auto',
      app_type: 'forge',
      priority: 8,
      generation_params: {
        positive_prompt: 'a cat',
        negative_prompt: 'blurry',
        checkpoint_name: 'sdxl/juggernaut.safetensors',
        width: 832,
        height: 1216,
        steps: 30,
        cfg_scale: 6.5,
        sampler_name: 'Euler a',
        scheduler: 'Karras',
        seed: 42,
        batch_size: 2,
        n_iter: 3,
      },
    });
  });

  it('includes enabled LoRAs with weights and leaves out disabled or empty rows', () => {
    const form = {
      ...defaultForm(),
      positive: 'x',
      loras: [
        { name: 'detail_tweaker', weight: 0.6, enabled: true },
        { name: 'off_one', weight: 1, enabled: false },
        { name: '  ', weight: 1, enabled: true },
        { name: ' styleA ', weight: -0.5, enabled: true },
      ],
    };
    expect(buildRequest(form).generation_params.loras).toEqual([
      { name: 'detail_tweaker', weight: 0.6 },
      { name: 'styleA', weight: -0.5 },
    ]);
  });

  it('adds the Forge extras: hires fix, distilled CFG, clip skip, restore faces, VAE', () => {
    const form = { ...defaultForm(), target: 'gpu1', positive: 'x', hires: true, hrScale: 1.5, hrUpscaler: 'R-ESRGAN 4x+', denoise: 0.4, hrSteps: 12, useDistilledCfg: true, distilledCfg: 3.5, clipSkip: 2, restoreFaces: true, vae: 'sdxl_vae.safetensors' };
    const p = buildRequest(form).generation_params;
    expect(buildRequest(form).target_server_alias).toBe('gpu1');
    expect(p).toMatchObject({
      enable_hr: true,
      hr_scale: 1.5,
      hr_upscaler: 'R-ESRGAN 4x+',
      denoising_strength: 0.4,
      hr_second_pass_steps: 12,
      distilled_cfg_scale: 3.5,
      override_settings: { CLIP_stop_at_last_layers: 2 },
      restore_faces: true,
      vae: 'sdxl_vae.safetensors',
    });
  });

  it('sends several Forge modules: the VAE as vae, the text encoders as forge_additional_modules, and reads them back', () => {
    const form = { ...defaultForm(), target: 'gpu1', positive: 'flux', clipSkip: 2, vae: 'ae.safetensors', modules: ['clip_l.safetensors', 't5xxl_fp8_e4m3fn.safetensors', ''] };
    const p = buildRequest(form).generation_params;
    expect(p.vae).toBe('ae.safetensors');
    expect((p as Record<string, unknown>).override_settings).toEqual({ CLIP_stop_at_last_layers: 2, forge_additional_modules: ['clip_l.safetensors', 't5xxl_fp8_e4m3fn.safetensors'] });
    const back = formFromParams(p as Record<string, unknown>, defaultForm());
    expect([back.vae, back.modules, back.clipSkip]).toEqual(['ae.safetensors', ['clip_l.safetensors', 't5xxl_fp8_e4m3fn.safetensors'], 2]);
  });

  it('leaves the extras out when they are off, and for ComfyUI', () => {
    const off = buildRequest({ ...defaultForm(), positive: 'x' }).generation_params;
    for (const k of ['enable_hr', 'distilled_cfg_scale', 'override_settings', 'restore_faces', 'vae', 'loras', 'negative_prompt', 'checkpoint_name']) expect(off).not.toHaveProperty(k);
    const comfy = buildRequest({ ...defaultForm(), appType: 'comfyui', positive: 'x', hires: true, restoreFaces: true, clipSkip: 3 });
    expect(comfy.app_type).toBe('comfyui');
    expect(comfy.generation_params).not.toHaveProperty('enable_hr');
    expect(comfy.generation_params).not.toHaveProperty('override_settings');
  });

  it('sends a ComfyUI API workflow as `workflow`', () => {
    const form = { ...defaultForm(), appType: 'comfyui' as const, comfyMode: 'workflow' as const, workflowText: JSON.stringify(API_WORKFLOW) };
    expect(validateForm(form)).toEqual({});
    expect(buildRequest(form).generation_params).toEqual({ workflow: API_WORKFLOW });
  });

  it('clamps priority into 1..10', () => {
    expect(buildRequest({ ...defaultForm(), priority: 99 }).priority).toBe(10);
    expect(buildRequest({ ...defaultForm(), priority: 0 }).priority).toBe(1);
  });
});

describe('validateForm and workflows', () => {
  it('flags out-of-range fields', () => {
    const e = validateForm({ ...defaultForm(), width: 10, steps: 0, batchSize: 99, seed: -5 });
    expect(Object.keys(e).sort()).toEqual(['batchSize', 'seed', 'steps', 'width']);
  });

  it('explains a UI-format workflow', () => {
    const ui = { last_node_id: 9, nodes: [{ id: 1, type: 'KSampler' }], links: [] };
    const c = checkWorkflow(JSON.stringify(ui));
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.reason).toBe('ui_format');
      expect(c.message).toMatch(/Export \(API\)/);
    }
    expect(checkWorkflow('{nope').ok).toBe(false);
    expect(checkWorkflow(JSON.stringify({ '1': { inputs: {} } }))).toMatchObject({ ok: false, reason: 'not_api' });
    expect(checkWorkflow(JSON.stringify(API_WORKFLOW))).toMatchObject({ ok: true, nodeCount: 2 });
  });
});

describe('formFromParams', () => {
  it('round-trips a request back into the form (use these settings)', () => {
    const form = { ...defaultForm(), positive: 'a', negative: 'b', checkpoint: 'c.safetensors', seed: 7, steps: 40, loras: [{ name: 'l', weight: 0.7, enabled: true }], hires: true, hrScale: 1.5, hrUpscaler: 'Latent', denoise: 0.3, hrSteps: 5, clipSkip: 2, useDistilledCfg: true, distilledCfg: 4 };
    const params = buildRequest(form).generation_params as Record<string, unknown>;
    const back = formFromParams(params, defaultForm());
    expect(buildRequest(back).generation_params).toEqual(params);
  });

  it('resets the whole form: no workflow, server or app type of an earlier job rides along', () => {
    const earlier = { ...defaultForm(), appType: 'comfyui' as const, target: 'comfy-1', comfyMode: 'workflow' as const, workflowText: '{"3":{}}', workflowName: 'old', negative: 'old negative', hires: true, priority: 9 };
    const back = formFromParams({ positive_prompt: 'a kite', seed: -1 }, earlier, { appType: 'forge', target: 'forge-1', seed: 42 });
    expect(back).toEqual({ ...defaultForm(), appType: 'forge', target: 'forge-1', positive: 'a kite', seed: 42, priority: 9 });
    const request = buildRequest(back);
    expect(request).toMatchObject({ app_type: 'forge', target_server_alias: 'forge-1' });
    expect((request.generation_params as Record<string, unknown>).workflow).toBeUndefined();
  });

  it('prefers the image seed over the job seed', () => {
    expect(formFromParams({ seed: -1 }, defaultForm(), { seed: 1234 }).seed).toBe(1234);
  });
});

describe('generate store', () => {
  beforeEach(() => setFormStorage(null));

  it('submits the form, remembers the job and stays usable for the next one', async () => {
    let n = 0;
    const f = createFakeFetch({
      'POST /api/v1/generate': () => ({ status: 202, json: { mobilesd_job_id: `job-${++n}` } }),
      'GET /api/v1/queue/jobs/job-1/status': () => ({ status: 404, json: { error: 'not_found', message: 'x' } }),
      'GET /api/v1/queue/jobs/job-2/status': () => ({ status: 404, json: { error: 'not_found', message: 'x' } }),
    });
    setApiClient(new ApiClient({ fetch: f.fetch }));
    setActivePinia(createPinia());
    const gen = useGenerate();
    gen.form.positive = 'first';
    gen.addLora('detail', 0.5);
    expect(await gen.submit()).toBe('job-1');
    gen.form.positive = 'second';
    expect(await gen.submit()).toBe('job-2');
    expect(gen.lastJobId).toBe('job-2');
    expect(gen.recent).toEqual(['job-2', 'job-1']);
    const posts = f.calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => (c.body as { generation_params: { positive_prompt: string } }).generation_params.positive_prompt)).toEqual(['first', 'second']);
    expect((posts[0]!.body as { generation_params: { loras: unknown } }).generation_params.loras).toEqual([{ name: 'detail', weight: 0.5 }]);
  });

  it('refuses an invalid form without calling the API', async () => {
    const f = createFakeFetch();
    setApiClient(new ApiClient({ fetch: f.fetch }));
    setActivePinia(createPinia());
    const gen = useGenerate();
    gen.form.steps = 0;
    await expect(gen.submit()).rejects.toThrow(/Steps/);
    expect(f.calls).toHaveLength(0);
  });

  it('restores the form from storage and ignores fields of the wrong type', () => {
    const store = new Map<string, string>([[FORM_STORAGE_KEY, JSON.stringify({ positive: 'saved', steps: 'lots', width: 640, bogus: 1 })]]);
    setFormStorage({ getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) });
    setApiClient(new ApiClient({ fetch: createFakeFetch().fetch }));
    setActivePinia(createPinia());
    const gen = useGenerate();
    expect(gen.form.positive).toBe('saved');
    expect(gen.form.width).toBe(640);
    expect(gen.form.steps).toBe(defaultForm().steps);
    expect(gen.form).not.toHaveProperty('bogus');
  });
});
