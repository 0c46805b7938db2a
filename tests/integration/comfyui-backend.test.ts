import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../shared/events.ts';
import { readPngText } from '../../electron/engine/results/png-text.ts';
import { createComfyEmulator, type ComfyEmulator } from '../emulators/comfyui/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

type ProgressEvent = Extract<EngineEvent, { type: 'job.progress' }> & { at: number };

/** The default ComfyUI txt2img graph in API format, as a power user would send it. */
function apiWorkflow(text: string, overrides: { ckpt?: string; seed?: number; steps?: number } = {}) {
  return {
    3: { class_type: 'KSampler', inputs: { seed: overrides.seed ?? 5, steps: overrides.steps ?? 4, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: overrides.ckpt ?? 'v1-5-pruned-emaonly.safetensors' } },
    5: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    6: { class_type: 'CLIPTextEncode', inputs: { text, clip: ['4', 1] } },
    7: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    9: { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  };
}

/** POST /prompt bodies the emulator received. */
function promptPosts(comfy: ComfyEmulator): any[] {
  return comfy.requests.filter((r) => r.method === 'POST' && r.path.replace(/^\/api/, '') === '/prompt').map((r) => r.body);
}

/** The prompt_id StableQueue chose for the job whose positive text is `text`. */
function promptIdFor(comfy: ComfyEmulator, text: string): string {
  const post = promptPosts(comfy).find((b) => Object.values(b.prompt).some((n: any) => n.class_type === 'CLIPTextEncode' && n.inputs.text === text));
  if (!post) throw new Error(`no prompt posted for "${text}"`);
  return post.prompt_id;
}

function postsTo(comfy: ComfyEmulator, route: string): any[] {
  return comfy.requests.filter((r) => r.method === 'POST' && r.path.replace(/^\/api/, '') === route).map((r) => r.body);
}

describe('ComfyUI backend against the emulator', () => {
  let comfy: ComfyEmulator;
  let sq: TestEngine;
  let progress: ProgressEvent[] = [];

  const submit = async (params: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'comfy', generation_params: params, ...extra });
    expect(res.status).toBe(202);
    return res.body.mobilesd_job_id as string;
  };
  const status = async (id: string) => (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
  const imageBytes = async (image: { download_url: string }) => Buffer.from(await (await fetch(`${sq.url}${image.download_url}`)).arrayBuffer());

  beforeAll(async () => {
    comfy = await createComfyEmulator({ stepMs: 10 });
    sq = await startTestEngine();
    sq.engine.onEvent((event) => {
      if (event.type === 'job.progress') progress.push({ ...event, at: Date.now() });
    });
    const added = await api(sq.url, 'POST', '/api/v1/servers', { alias: 'comfy', app_type: 'comfyui', api_url: comfy.url });
    expect(added.status).toBe(201);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers/comfy')).body.status === 'online', { what: 'ComfyUI online' });
  });
  afterAll(async () => {
    await sq?.stop();
    await comfy?.close();
  });
  beforeEach(() => {
    progress = [];
  });
  afterEach(async () => {
    comfy.clearFaults();
    await comfy.waitForIdle(10_000);
  });

  it('reports health with VRAM and lists models from /object_info', async () => {
    const server = (await api(sq.url, 'GET', '/api/v1/servers/comfy')).body;
    expect(server.status_message).toMatch(/VRAM \d+\.\d of \d+\.\d GiB free/);
    const test = (await api(sq.url, 'POST', '/api/v1/servers/comfy/test')).body;
    expect(test.version).toBe('ComfyUI 0.3.64');
  });

  it('runs the built-in txt2img graph: names resolved, sampler mapped, bytes kept, seed recorded', async () => {
    const id = await submit({
      positive_prompt: 'builtin fox', negative_prompt: 'ugly', checkpoint_name: 'sd_xl_base_1.0', seed: 1234, steps: 3,
      width: 64, height: 64, sampler_name: 'DPM++ 2M Karras', loras: [{ name: 'add_detail', weight: 0.5 }],
    });
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('completed');
    const post = promptPosts(comfy).find((b) => b.prompt_id === job.result_details.prompt_id);
    expect(post.client_id).toEqual(expect.any(String));
    const nodes = Object.values(post.prompt) as any[];
    expect(nodes.find((n) => n.class_type === 'CheckpointLoaderSimple').inputs.ckpt_name).toBe('sd_xl_base_1.0.safetensors');
    expect(nodes.find((n) => n.class_type === 'LoraLoader').inputs).toMatchObject({ lora_name: 'add_detail.safetensors', strength_model: 0.5 });
    expect(nodes.find((n) => n.class_type === 'KSampler').inputs).toMatchObject({ seed: 1234, sampler_name: 'dpmpp_2m', scheduler: 'karras', steps: 3 });

    expect(job.images).toHaveLength(1);
    expect(job.images[0].seed).toBe(1234);
    const run = comfy.executions.find((e) => e.promptId === job.result_details.prompt_id)!;
    const original = fs.readFileSync(path.join(comfy.dirs.output, run.files[0]));
    const saved = await imageBytes(job.images[0]);
    expect(saved.equals(original)).toBe(true);
    expect(JSON.parse(readPngText(saved).prompt)['1'].class_type).toBe('CheckpointLoaderSimple');
  });

  it('runs a raw API workflow with a new random seed and keeps its workflow PNG chunk', async () => {
    const workflowUi = { last_node_id: 9, nodes: [{ id: 3, type: 'KSampler' }], links: [], version: 0.4 };
    const id = await submit({ workflow: apiWorkflow('raw fox', { seed: 5 }), workflow_ui: workflowUi, randomize_seed: true });
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('completed');
    const post = promptPosts(comfy).find((b) => b.prompt_id === job.result_details.prompt_id);
    const sentSeed = post.prompt['3'].inputs.seed;
    expect(sentSeed).not.toBe(5);
    expect(job.images[0].seed).toBe(sentSeed);
    expect(job.result_details.seeds).toEqual({ 3: sentSeed });
    const text = readPngText(await imageBytes(job.images[0]));
    expect(JSON.parse(text.workflow)).toEqual(workflowUi);
    expect(JSON.parse(text.prompt)['3'].inputs.seed).toBe(sentSeed);
  });

  it('keeps the next prompt queued on the server, so the GPU never idles between jobs', async () => {
    const ids = [await submit({ workflow: apiWorkflow('gap a', { steps: 15 }) }), await submit({ workflow: apiWorkflow('gap b', { steps: 15 }) })];
    // While the first runs, the second already waits in ComfyUI's own queue.
    await waitFor(() => progress.some((p) => p.job_id === ids[1] && p.status_text === 'Queued on server'), { what: 'second job queued on server' });
    expect((await status(ids[1])).status).toBe('processing');
    const done = await waitForJobs(sq.url, ids);
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed']);
    const [a, b] = ids.map((_, i) => comfy.executions.find((e) => e.promptId === done[i].result_details.prompt_id)!);
    expect(b.startedPerf - a.endedPerf!).toBeLessThan(20);
  });

  it('turns WebSocket progress and type-4 previews into job progress', async () => {
    const id = await submit({ workflow: apiWorkflow('progress fox', { steps: 8 }) });
    await waitForJobs(sq.url, [id]);
    const mine = progress.filter((p) => p.job_id === id && p.steps === 8);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.some((p) => p.has_preview)).toBe(true);
    expect(mine.map((p) => p.progress)).toEqual([...mine.map((p) => p.progress)].sort((x, y) => x - y));
    // feature_flags was negotiated: previews came with metadata (type 4), never bare (type 1).
    const promptId = promptIdFor(comfy, 'progress fox');
    expect(comfy.events.some((e) => e.type === 'binary:4' && (e.data as any).prompt_id === promptId && e.delivered === 1)).toBe(true);
    expect(comfy.events.some((e) => e.type === 'binary:1' && e.delivered > 0)).toBe(false);
  });

  it('survives a WebSocket drop mid-job: progress resumes and the result is collected', async () => {
    const upgradesBefore = comfy.requests.filter((r) => r.path.startsWith('/ws')).length;
    comfy.setFault({ kind: 'ws_drop', afterProgress: 4 });
    const id = await submit({ workflow: apiWorkflow('dropped fox', { steps: 40 }) });
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('completed');
    expect(job.images).toHaveLength(1);
    const upgrades = comfy.requests.filter((r) => r.path.startsWith('/ws'));
    expect(upgrades.length).toBe(upgradesBefore + 1);
    const reconnectedAt = upgrades.at(-1)!.at;
    const after = progress.filter((p) => p.job_id === id && p.at > reconnectedAt && p.step !== null);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.max(...after.map((p) => p.step!))).toBeGreaterThan(4);
    // It ran once: the reconnect did not make us queue it again.
    expect(comfy.executions.filter((e) => e.promptId === job.result_details.prompt_id)).toHaveLength(1);
    expect(promptPosts(comfy).filter((b) => b.prompt['6']?.inputs.text === 'dropped fox')).toHaveLength(1);
  });

  it('queues a prompt anew when the server restarted and forgot it', async () => {
    comfy.setFault({ kind: 'restart', afterProgress: 3 });
    const id = await submit({ workflow: apiWorkflow('forgotten fox', { steps: 10 }) });
    await waitFor(() => progress.some((p) => p.job_id === id && /^Sent again: ComfyUI lost the prompt/.test(p.status_text ?? '')), { what: 'resubmission told in the status text' });
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('completed');
    expect(job.attempts).toBe(1);
    expect(job.result_details.resubmitted).toBe(1);
    const runs = comfy.executions.filter((e) => promptPosts(comfy).some((b) => b.prompt_id === e.promptId && b.prompt['6'].inputs.text === 'forgotten fox'));
    expect(runs.map((r) => r.outcome)).toEqual(['aborted', 'success']);
  });

  it('cancels a job waiting on the server (POST /queue delete) and a running one (POST /interrupt)', async () => {
    const running = await submit({ workflow: apiWorkflow('cancel running', { steps: 200 }) });
    const waiting = await submit({ workflow: apiWorkflow('cancel waiting', { steps: 5 }) });
    await waitFor(() => progress.some((p) => p.job_id === waiting && p.status_text === 'Queued on server'), { what: 'job queued on server' });
    await waitFor(() => progress.some((p) => p.job_id === running && (p.step ?? 0) > 0), { what: 'first job running' });

    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${waiting}/cancel`)).status).toBe(200);
    await waitFor(async () => (await status(waiting)).status === 'cancelled', { what: 'waiting job cancelled' });
    const waitingId = promptIdFor(comfy, 'cancel waiting');
    expect(postsTo(comfy, '/queue')).toContainEqual({ delete: [waitingId] });

    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${running}/cancel`)).status).toBe(200);
    await waitFor(async () => (await status(running)).status === 'cancelled', { what: 'running job cancelled' });
    const runningId = promptIdFor(comfy, 'cancel running');
    expect(postsTo(comfy, '/interrupt')).toContainEqual({ prompt_id: runningId });
    expect(comfy.executions.find((e) => e.promptId === runningId)?.outcome).toBe('interrupted');
    expect(comfy.executions.some((e) => e.promptId === waitingId)).toBe(false);
  });

  it('fails a graph that ComfyUI rejects at once, naming the node and input', async () => {
    const id = await submit({ workflow: apiWorkflow('bad ckpt', { ckpt: 'missing-model.safetensors' }) });
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error_message).toMatch(/^ComfyUI rejected the workflow: Node 4 \(CheckpointLoaderSimple\): input 'ckpt_name' — Value not in list: 'missing-model\.safetensors' not in/);
  });

  it('refuses a workflow that is not in API format at submit, without sending it', async () => {
    const before = promptPosts(comfy).length;
    const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'comfy', generation_params: { workflow: { nodes: [], links: [], version: 0.4 } } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/UI workflow format/);
    expect(promptPosts(comfy).length).toBe(before);
  });

  it('takes a prefetched job back from the server when another job is moved ahead of it', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const first = await submit({ workflow: apiWorkflow('order first', { steps: 40 }) });
    const second = await submit({ workflow: apiWorkflow('order second', { steps: 3 }) });
    const urgent = await submit({ workflow: apiWorkflow('order urgent', { steps: 3 }) });
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitFor(() => progress.some((p) => p.job_id === second && p.status_text === 'Queued on server'), { what: 'second queued on server' });
    expect((await status(urgent)).status).toBe('pending');

    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${urgent}/reorder`, { to: 'top' })).status).toBe(200);
    const done = await waitForJobs(sq.url, [first, second, urgent]);
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
    expect(postsTo(comfy, '/queue')).toContainEqual({ delete: [promptIdFor(comfy, 'order second')] });
    // The taken-back attempt was not counted.
    expect(done[1].attempts).toBe(1);
    const order = comfy.executions.filter((e) => done.some((j) => j.result_details.prompt_id === e.promptId))
      .map((e) => done.findIndex((j) => j.result_details.prompt_id === e.promptId));
    expect(order).toEqual([0, 2, 1]);
  });

  it('takes a prefetched job back when a pending job gets a higher priority, but not the running one', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const first = await submit({ workflow: apiWorkflow('priority first', { steps: 40 }) });
    const second = await submit({ workflow: apiWorkflow('priority second', { steps: 3 }) });
    const urgent = await submit({ workflow: apiWorkflow('priority urgent', { steps: 3 }) });
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitFor(() => progress.some((p) => p.job_id === second && p.status_text === 'Queued on server'), { what: 'second queued on server' });

    expect((await api(sq.url, 'PUT', `/api/v1/queue/jobs/${urgent}/priority`, { priority: 9 })).status).toBe(200);
    const done = await waitForJobs(sq.url, [first, second, urgent]);
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
    const firstId = promptIdFor(comfy, 'priority first');
    expect(postsTo(comfy, '/queue')).toContainEqual({ delete: [promptIdFor(comfy, 'priority second')] });
    expect(postsTo(comfy, '/queue')).not.toContainEqual({ delete: [firstId] });
    expect(postsTo(comfy, '/interrupt')).not.toContainEqual({ prompt_id: firstId });
    const order = comfy.executions.filter((e) => done.some((j) => j.result_details.prompt_id === e.promptId))
      .map((e) => done.findIndex((j) => j.result_details.prompt_id === e.promptId));
    expect(order).toEqual([0, 2, 1]);
  });
});
