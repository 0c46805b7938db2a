/**
 * kill -9 of StableQueue (a real headless process) while facade jobs run: after the
 * restart the ComfyUI client's /history/{prompt_id} answers with the finished prompt, and
 * an A1111 client that retries its txt2img with the same force_task_id gets the job's
 * images instead of queueing a duplicate.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createComfyEmulator, type ComfyEmulator } from '../emulators/comfyui/index.ts';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process.ts';
import { api, waitFor } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const GRAPH = {
  1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
  2: { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: 'a lighthouse after the crash' } },
  3: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
  4: { class_type: 'KSampler', inputs: { model: ['1', 0], positive: ['2', 0], negative: ['2', 0], latent_image: ['3', 0], seed: 11, steps: 60, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1 } },
  5: { class_type: 'VAEDecode', inputs: { samples: ['4', 0], vae: ['1', 2] } },
  6: { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'crash' } },
};
const TXT2IMG = { prompt: 'a boat after the crash', steps: 40, width: 64, height: 64, seed: 99, force_task_id: 'client-task-1' };

describe('kill -9 of StableQueue while facade jobs run', () => {
  const tmp = makeTempDir('sq-compat-kill-');
  const env = { STABLEQUEUE_DATA_DIR: tmp.dir };
  let sq: HeadlessProcess | null = null;
  let forge: ForgeEmulator;
  let comfy: ComfyEmulator;

  beforeAll(async () => {
    forge = await createForgeEmulator({ stepMs: 50 });
    comfy = await createComfyEmulator({ stepMs: 30 });
  });
  afterAll(async () => {
    await sq?.kill9();
    await forge.close();
    await comfy.close();
    tmp.cleanup();
  });

  it('after the restart /history/{id} answers and a retried txt2img with the same force_task_id is not a duplicate', async () => {
    sq = await startHeadless(env, { startTimeoutMs: 90_000 });
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'forge', app_type: 'forge', api_url: forge.url })).status).toBe(201);
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'comfy', app_type: 'comfyui', api_url: comfy.url })).status).toBe(201);
    await waitFor(async () => (await api(sq!.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });

    const clientId = 'restart-client';
    const queued = await api(`${sq.url}/compat/comfyui`, 'POST', '/prompt', { prompt: GRAPH, client_id: clientId });
    expect(queued.status, JSON.stringify(queued.body)).toBe(200);
    const promptId: string = queued.body.prompt_id;
    // The A1111 call waits for its job; it dies with the process.
    const firstCall = fetch(`${sq.url}/compat/a1111/sdapi/v1/txt2img`, {
      method: 'POST', body: JSON.stringify(TXT2IMG), headers: { 'content-type': 'application/json' },
    }).then((r) => r.status, (e: Error) => e);
    await waitFor(async () => (await api(sq!.url, 'GET', '/api/v1/queue/jobs?status=processing')).body.jobs.length === 2, { what: 'both facade jobs running' });
    await waitFor(() => comfy.events.some((e) => e.type === 'progress') && forge.generationLog.length > 0, { what: 'both servers generating' });

    await sq.kill9();
    expect(await firstCall).toBeInstanceOf(Error);
    const db = new Database(path.join(tmp.dir, 'stablequeue.db'), { readonly: true });
    const before = db.prepare("SELECT source_info, status FROM jobs ORDER BY source_info").all();
    db.close();
    expect(before).toEqual([{ source_info: 'a1111_api', status: 'processing' }, { source_info: 'comfyui_api', status: 'processing' }]);

    sq = await startHeadless(env, { startTimeoutMs: 90_000 });
    // The ComfyUI client reconnects its websocket with its client_id and hears the end of its prompt.
    const ws = new WebSocket(`${sq.url.replace(/^http/, 'ws')}/compat/comfyui/ws?clientId=${clientId}`);
    const heard: any[] = [];
    ws.on('message', (data, binary) => { if (!binary) heard.push(JSON.parse(String(data))); });
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      // The retried A1111 call finds the job of its force_task_id and answers with its image.
      const retried = await api(`${sq.url}/compat/a1111`, 'POST', '/sdapi/v1/txt2img', TXT2IMG);
      expect(retried.status, JSON.stringify(retried.body).slice(0, 300)).toBe(200);
      expect(retried.body.images).toHaveLength(1);
      expect(JSON.parse(retried.body.info)).toMatchObject({ seed: 99, prompt: 'a boat after the crash' });
      const a1111Jobs = (await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api')).body;
      expect(a1111Jobs.total).toBe(1);
      expect(a1111Jobs.jobs[0].status).toBe('completed');

      const entry = await waitFor(async () => (await api(`${sq!.url}/compat/comfyui`, 'GET', `/history/${promptId}`)).body[promptId], { timeoutMs: 30_000, what: 'the prompt in /history' });
      expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
      const image = entry.outputs['6'].images[0];
      const view = await fetch(`${sq.url}/compat/comfyui/view?filename=${encodeURIComponent(image.filename)}&type=output`);
      expect(view.status).toBe(200);
      expect((await api(sq.url, 'GET', '/api/v1/queue/jobs?source=comfyui_api')).body.total).toBe(1);
      // ComfyUI ran the prompt once: the restart reattached to it.
      expect(comfy.executions.filter((e) => !e.cached)).toHaveLength(1);
      if (heard.some((m) => m.type === 'execution_success')) {
        expect(heard.find((m) => m.type === 'executing' && m.data.node === null)?.data.prompt_id).toBe(promptId);
      }
    } finally {
      ws.close();
    }
  }, 300_000);
});
