/**
 * Grouping by model works for ComfyUI workflows too: the checkpoint is read from the graph
 * (CheckpointLoaderSimple), and 12 workflow jobs alternating two checkpoints on one ComfyUI
 * emulator (a load costs time: the loader node runs only when the checkpoint changes, as
 * ComfyUI's cache does) make at most 3 loads instead of 12.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComfyEmulator, type ComfyEmulator } from '../../emulators/comfyui/index.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';

const MODELS = ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors'];

function workflow(ckpt: string, text: string) {
  return {
    1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
    2: { class_type: 'CLIPTextEncode', inputs: { text, clip: ['1', 1] } },
    3: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
    4: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    5: { class_type: 'KSampler', inputs: { seed: 1, steps: 2, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0] } },
    6: { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    7: { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'grouped' } },
  };
}

describe('dispatch: grouping ComfyUI workflows by the checkpoint in their graph', () => {
  let sq: TestEngine;
  let comfy: ComfyEmulator;

  beforeAll(async () => {
    sq = await startTestEngine();
    comfy = await createComfyEmulator({ stepMs: 5, nodeMs: { CheckpointLoaderSimple: 60 } });
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'c1', app_type: 'comfyui', api_url: comfy.url })).status).toBe(201);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'server online' });
  }, 90_000);
  afterAll(async () => {
    await sq?.stop();
    await comfy?.close();
  });

  it('12 alternating workflow jobs load a checkpoint at most 3 times', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { generation_params: { workflow: workflow(MODELS[i % 2], `fox ${i}`) } });
      expect(res.status).toBe(202);
      ids.push(res.body.mobilesd_job_id);
    }
    const listed = await api(sq.url, 'GET', `/api/v1/queue/jobs/${ids[1]}/status`);
    expect(listed.body.display.checkpoint_name).toBe(MODELS[1]);
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    const done = await waitForJobs(sq.url, ids, 90_000);
    expect(done.every((j) => j.status === 'completed')).toBe(true);
    // The loader node runs (is not a cache hit) exactly when the checkpoint changes.
    const loads = comfy.executions.filter((e) => e.executedNodes.includes('1')).length;
    expect(loads).toBeLessThanOrEqual(3);
    const stats = (await api(sq.url, 'GET', '/api/v1/queue/dispatch-stats')).body;
    expect(stats.servers[0].model_loads).toBeLessThanOrEqual(3);
    expect(stats.loads_saved).toBeGreaterThanOrEqual(8);
  }, 120_000);
});
