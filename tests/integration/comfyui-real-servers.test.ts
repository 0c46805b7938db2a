// StableQueue against ComfyUI as real servers behave (seen on 0.8.0 and 0.3.44): long
// nodes an interrupt cannot stop, old versions that ignore prompt_id, cached outputs,
// node-level progress, CPU-only servers, and what is refused before it reaches a server.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../shared/events.ts';
import { createComfyEmulator, type ComfyEmulator, type ComfyEmulatorOptions } from '../emulators/comfyui/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

type ProgressEvent = Extract<EngineEvent, { type: 'job.progress' }>;

function workflow(text: string, steps = 3, seed = 5) {
  return {
    1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    2: { class_type: 'CLIPTextEncode', inputs: { text, clip: ['1', 1] } },
    3: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['1', 1] } },
    4: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    5: { class_type: 'KSampler', inputs: { seed, steps, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0] } },
    6: { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    7: { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'real' } },
  };
}

describe('ComfyUI as real servers behave', () => {
  let sq: TestEngine;
  let progress: ProgressEvent[] = [];
  const emulators: ComfyEmulator[] = [];

  /** A fresh emulator registered as its own server. */
  async function server(alias: string, opts: ComfyEmulatorOptions = {}): Promise<ComfyEmulator> {
    const comfy = await createComfyEmulator({ stepMs: 10, previews: false, ...opts });
    emulators.push(comfy);
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias, app_type: 'comfyui', api_url: comfy.url })).status).toBe(201);
    await waitFor(async () => (await api(sq.url, 'GET', `/api/v1/servers/${alias}`)).body.status === 'online', { what: `${alias} online` });
    return comfy;
  }
  const submit = async (alias: string, params: Record<string, unknown>) => {
    const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: alias, generation_params: params });
    expect(res.status).toBe(202);
    return res.body.mobilesd_job_id as string;
  };
  const status = async (id: string) => (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
  const posts = (comfy: ComfyEmulator, route: string) => comfy.requests.filter((r) => r.method === 'POST' && r.path.replace(/^\/api/, '') === route).map((r) => r.body as any);

  beforeAll(async () => {
    sq = await startTestEngine();
    sq.engine.onEvent((event) => {
      if (event.type === 'job.progress') progress.push(event);
    });
  });
  afterEach(() => {
    progress = [];
  });
  afterAll(async () => {
    await sq?.stop();
    for (const comfy of emulators) await comfy.close();
  });

  it('a cancel during a long node shows "Cancelling…" and keeps the server busy until ComfyUI confirms the interrupt', async () => {
    const comfy = await server('slow', { nodeMs: { VAEDecode: 24_000 } });
    const first = await submit('slow', { workflow: workflow('long decode') });
    await waitFor(() => comfy.events.some((e) => e.type === 'executing' && (e.data as any).node === '6'), { what: 'VAEDecode running', timeoutMs: 10_000 });
    // The next job has no slow node: it only has to wait for the server.
    const second = await submit('slow', { workflow: { 1: { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 255 } }, 2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'next' } } } });
    // The second is prefetched into ComfyUI's queue while the first runs.
    await waitFor(async () => (await status(second)).status_text === 'Queued on server', { what: 'second queued on server' });

    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${first}/cancel`)).status).toBe(200);
    await waitFor(async () => (await status(first)).status_text === 'Cancelling…', { what: 'Cancelling…' });
    // Past StableQueue's own 15 s give-up time the node still runs: the job is still being cancelled.
    await new Promise((resolve) => setTimeout(resolve, 15_500));
    expect(comfy.executions[0].outcome).toBe('running');
    expect(await status(first)).toMatchObject({ status: 'processing', status_text: 'Cancelling…' });

    const [cancelled, next] = await waitForJobs(sq.url, [first, second], 30_000);
    expect(cancelled.status).toBe('cancelled');
    expect(comfy.executions[0].outcome).toBe('interrupted');
    expect(next.status).toBe('completed');
    // The server's history confirmed the interrupt before the job was settled as cancelled.
    expect(Date.parse(cancelled.completion_timestamp)).toBeGreaterThanOrEqual(comfy.executions[0].endedAt! - 5);
  }, 60_000);

  it('on a server older than 0.3.57 a late cancel does not interrupt another client\'s prompt', async () => {
    const comfy = await server('old57', { version: '0.3.50' });
    comfy.setFault({ kind: 'delay', path: '/view', ms: 1500 });
    const id = await submit('old57', { workflow: workflow('finished already') });
    await waitFor(() => comfy.requests.some((r) => r.path.replace(/^\/api/, '').startsWith('/view')), { what: 'result being fetched' });
    // Someone else's prompt starts on the server while StableQueue still fetches the result.
    const foreign = await fetch(`${comfy.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: workflow('not ours', 100) }) }).then((r) => r.json());
    await waitFor(() => comfy.executions.some((e) => e.promptId === foreign.prompt_id), { what: 'foreign prompt running' });
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${id}/cancel`);
    await waitForJobs(sq.url, [id]);
    await comfy.waitForIdle();
    expect(comfy.executions.find((e) => e.promptId === foreign.prompt_id)!.outcome).toBe('success');
    expect(posts(comfy, '/interrupt')).toEqual([]);
  });

  it('on a server older than 0.3.45 the server\'s own prompt_id is stored and followed', async () => {
    const comfy = await server('old45', { version: '0.3.44' });
    const id = await submit('old45', { workflow: workflow('old server') });
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('completed');
    const run = comfy.executions[0];
    expect(posts(comfy, '/prompt')[0].prompt_id).not.toBe(run.promptId);
    expect(job.result_details.prompt_id).toBe(run.promptId);
    expect(job.images).toHaveLength(1);
    expect(comfy.executions).toHaveLength(1);
  });

  it('shows node-level progress for a stage without sampler steps', async () => {
    const comfy = await server('nodes', { nodeMs: { VAEDecode: 1500 } });
    const id = await submit('nodes', { workflow: workflow('node progress') });
    await waitFor(() => comfy.events.some((e) => e.type === 'executing' && (e.data as any).node === '6'), { what: 'VAEDecode running' });
    await waitFor(async () => /^node \d+\/7 · VAEDecode$/.test((await status(id)).status_text ?? ''), { what: 'node text', timeoutMs: 1400 });
    await waitForJobs(sq.url, [id]);
    expect(progress.filter((p) => p.job_id === id).map((p) => p.status_text)).toContain('node 6/7 · VAEDecode');
  });

  it('a graph without samplers shows its progress by nodes', async () => {
    await server('nosampler', { nodeMs: { SaveImage: 1500 } });
    const id = await submit('nosampler', { workflow: { 1: { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 65280 } }, 2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'plain' } } } });
    await waitFor(async () => {
      const s = await status(id);
      return s.status_text === 'node 2/2 · SaveImage' && s.progress === 50;
    }, { what: 'half done at the second of two nodes', timeoutMs: 10_000 });
    expect((await waitForJobs(sq.url, [id]))[0].status).toBe('completed');
  });

  it('flags a job whose every output came from ComfyUI\'s cache', async () => {
    await server('cache');
    const [first] = await waitForJobs(sq.url, [await submit('cache', { workflow: workflow('same again') })]);
    const [second] = await waitForJobs(sq.url, [await submit('cache', { workflow: workflow('same again') })]);
    expect(first.result_details.cached).toBe(false);
    expect(second.status).toBe('completed');
    expect(second.result_details.cached).toBe(true);
  });

  it('a CPU-only server\'s health does not call its RAM "VRAM"', async () => {
    await server('cpu', { cpuOnly: true });
    const row = (await api(sq.url, 'GET', '/api/v1/servers/cpu')).body;
    expect(row.status_message).not.toMatch(/VRAM/);
    expect(row.status_message).toMatch(/CPU only · RAM \d+\.\d of \d+\.\d GiB free/);
  });

  it('refuses sampler and scheduler names ComfyUI does not have, listing the valid ones', async () => {
    await server('names');
    for (const [field, value] of [['sampler_name', 'PLMS'], ['sampler_name', 'Restart'], ['scheduler', 'Align Your Steps']]) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'names', generation_params: { positive_prompt: 'x', [field]: value } });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(field === 'scheduler' ? 'unknown_scheduler' : 'unknown_sampler');
      expect(res.body.message).toContain(value);
      expect(res.body.message).toContain(field === 'scheduler' ? 'sgm_uniform' : 'dpmpp_2m');
    }
    const ok = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'names', generation_params: { positive_prompt: 'x', sampler_name: 'DPM++ 2M SGMUniform', steps: 2, width: 64, height: 64 } });
    expect(ok.status).toBe(202);
    expect((await waitForJobs(sq.url, [ok.body.mobilesd_job_id]))[0].status).toBe('completed');
  });

  it('refuses a UI-format workflow and a {prompt: …} wrapper at submit, saying what to send', async () => {
    const ui = await api(sq.url, 'POST', '/api/v1/generate', { app_type: 'comfyui', generation_params: { workflow: { last_node_id: 9, nodes: [], links: [], version: 0.4 } } });
    expect(ui.status).toBe(400);
    expect(ui.body.error).toBe('invalid_workflow');
    expect(ui.body.message).toMatch(/UI workflow format.*Export \(API\)/);
    const wrapped = await api(sq.url, 'POST', '/api/v1/generate', { app_type: 'comfyui', generation_params: { workflow: { prompt: workflow('wrapped'), client_id: 'x' } } });
    expect(wrapped.status).toBe(400);
    expect(wrapped.body.message).toMatch(/POST \/prompt body/);
  });
});

describe('a prompt ComfyUI lost', () => {
  it('is sent again, and the job says so in its status text, its log and its result details', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const comfy = await createComfyEmulator({ stepMs: 10, previews: false });
    const sq = await startTestEngine({ logger: pino({ level: 'info' }, sink) });
    try {
      const texts: string[] = [];
      sq.engine.onEvent((event) => {
        if (event.type === 'job.progress' && event.status_text) texts.push(event.status_text);
      });
      await api(sq.url, 'POST', '/api/v1/servers', { alias: 'lost', app_type: 'comfyui', api_url: comfy.url });
      await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers/lost')).body.status === 'online', { what: 'online' });
      comfy.setFault({ kind: 'restart', afterProgress: 2 });
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'lost', generation_params: { workflow: workflow('lost and found', 6) } });
      const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
      expect(job).toMatchObject({ status: 'completed', attempts: 1 });
      expect(job.result_details.resubmitted).toBe(1);
      expect(texts).toContain('Sent again: ComfyUI lost the prompt (restarted?)');
      const logged = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('ComfyUI lost the prompt'));
      expect(logged).toMatchObject({ alias: 'lost', job: job.mobilesd_job_id, prompt_id: expect.any(String) });
    } finally {
      await sq.stop();
      await comfy.close();
    }
  });
});
