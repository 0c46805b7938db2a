import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComfyEmulator, type ComfyEmulator } from '../emulators/comfyui/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { loraChain } from '../unit/comfyui/fixtures/api-workflows.ts';

/** The LoRA-chain fixture with names the emulator has and a prompt no other job uses. */
function workflow(prompt: string) {
  const graph = structuredClone(loraChain);
  graph[1].inputs.ckpt_name = 'v1-5-pruned-emaonly.safetensors';
  graph[2].inputs.lora_name = 'add_detail.safetensors';
  graph[3].inputs.lora_name = 'styles/pixel-art-xl.safetensors';
  graph[13].inputs.lora_name = 'lcm-lora-sdxl.safetensors';
  graph[5].inputs.text = prompt;
  graph[7].inputs = { width: 64, height: 96, batch_size: 1 };
  graph[8].inputs.steps = 3;
  return graph;
}

describe('ComfyUI workflow jobs are readable', () => {
  let comfy: ComfyEmulator;
  let sq: TestEngine;

  beforeAll(async () => {
    comfy = await createComfyEmulator({ stepMs: 5, previews: false });
    sq = await startTestEngine();
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'comfy', app_type: 'comfyui', api_url: comfy.url })).status).toBe(201);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers/comfy')).body.status === 'online', { what: 'ComfyUI online' });
  });
  afterAll(async () => {
    await sq?.stop();
    await comfy?.close();
  });

  it('shows prompt and checkpoint in the queue and detail, and the gallery finds it by a word of its prompt', async () => {
    const sent = workflow('verdigris lighthouse keeper, film photo');
    const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'comfy', generation_params: { workflow: sent } });
    expect(res.status).toBe(202);
    const id = res.body.mobilesd_job_id as string;

    // Readable from the moment it is queued.
    const row = (await api(sq.url, 'GET', '/api/v1/queue/jobs?limit=50')).body.jobs.find((j: any) => j.mobilesd_job_id === id);
    expect(row).toMatchObject({ positive_prompt: 'verdigris lighthouse keeper, film photo', checkpoint_name: 'v1-5-pruned-emaonly.safetensors' });

    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('completed');
    expect(job.display).toMatchObject({
      positive_prompt: 'verdigris lighthouse keeper, film photo', negative_prompt: 'cartoon, 3d render',
      checkpoint_name: 'v1-5-pruned-emaonly.safetensors', width: 64, height: 96, steps: 3, cfg_scale: 5.5,
      sampler_name: 'dpmpp_2m', scheduler: 'karras', seed: 42, vae: 'vae-ft-mse-840000-ema-pruned.safetensors',
      loras: [{ name: 'add_detail.safetensors', weight: 0.6 }, { name: 'styles/pixel-art-xl.safetensors', weight: 0.8 }],
    });
    // The workflow went to ComfyUI exactly as sent.
    const post = comfy.requests.find((r) => r.method === 'POST' && r.path.endsWith('/prompt') && (r.body as any)?.prompt_id === job.result_details.prompt_id);
    expect((post!.body as any).prompt).toEqual(sent);

    const search = (await api(sq.url, 'GET', '/api/v1/gallery/images?q=verdigris')).body;
    expect(search.images.map((i: any) => i.job_id)).toEqual([id]);
    expect(search.images[0]).toMatchObject({ positive_prompt: 'verdigris lighthouse keeper, film photo', checkpoint: 'v1-5-pruned-emaonly.safetensors', seed: 42 });
    const byCheckpoint = (await api(sq.url, 'GET', '/api/v1/gallery/images?checkpoint=v1-5-pruned-emaonly.safetensors')).body;
    expect(byCheckpoint.images.map((i: any) => i.job_id)).toContain(id);
    expect((await api(sq.url, 'GET', '/api/v1/gallery/facets')).body.checkpoints.map((c: { value: string }) => c.value)).toContain('v1-5-pruned-emaonly');
    expect((await api(sq.url, 'GET', '/api/v1/gallery/images?q=not-in-any-prompt')).body.images).toEqual([]);
  });

  it('a job with flat fields has no display reading: its parameters say it', async () => {
    const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'comfy', generation_params: { positive_prompt: 'flat fox', steps: 2, width: 64, height: 64 } });
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job.display ?? null).toBeNull();
    expect((await api(sq.url, 'GET', '/api/v1/gallery/images?q=flat%20fox')).body.images).toHaveLength(1);
  });
});
