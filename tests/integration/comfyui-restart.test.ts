import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComfyEmulator, type ComfyEmulator } from '../emulators/comfyui/index.ts';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

function workflow(text: string, steps: number) {
  return {
    1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    2: { class_type: 'CLIPTextEncode', inputs: { text, clip: ['1', 1] } },
    3: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
    4: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    5: { class_type: 'KSampler', inputs: { seed: 77, steps, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0] } },
    6: { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    7: { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'restart' } },
  };
}

describe('kill -9 of StableQueue while ComfyUI runs its jobs', () => {
  let comfy: ComfyEmulator;
  const tmp = makeTempDir('sq-comfy-kill-');
  const env = { STABLEQUEUE_DATA_DIR: tmp.dir };
  let sq: HeadlessProcess | null = null;

  beforeAll(async () => {
    comfy = await createComfyEmulator({ stepMs: 20 });
  });
  afterAll(async () => {
    await sq?.kill9();
    await comfy.close();
    tmp.cleanup();
  });

  it('reattaches to the running and the queued prompt after restart and runs neither twice', async () => {
    sq = await startHeadless(env);
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'comfy', app_type: 'comfyui', api_url: comfy.url })).status).toBe(201);
    const ids: string[] = [];
    for (const [text, steps] of [['kill running', 100], ['kill queued', 20]] as const) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'comfy', generation_params: { workflow: workflow(text, steps) } });
      expect(res.status).toBe(202);
      ids.push(res.body.mobilesd_job_id);
    }
    // The first is sampling on the server, the second waits in ComfyUI's own queue.
    await waitFor(() => comfy.executions.length === 1 && comfy.events.some((e) => e.type === 'progress'), { what: 'first prompt sampling' });
    await waitFor(async () => (await api(sq!.url, 'GET', `/api/v1/queue/jobs/${ids[1]}/status`)).body.status_text === 'Queued on server', { what: 'second queued on server' });

    await sq.kill9();
    const db = new Database(path.join(tmp.dir, 'stablequeue.db'), { readonly: true });
    const stored = db.prepare('SELECT mobilesd_job_id AS id, status, backend_task_id FROM jobs').all() as { id: string; status: string; backend_task_id: string | null }[];
    db.close();
    expect(stored.map((j) => j.status)).toEqual(['processing', 'processing']);
    const promptIds = ids.map((id) => stored.find((j) => j.id === id)!.backend_task_id);
    expect(promptIds.every((p) => typeof p === 'string')).toBe(true);

    sq = await startHeadless(env);
    const done = await waitForJobs(sq.url, ids, 50_000);
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed']);
    expect(done.map((j) => j.result_details.prompt_id)).toEqual(promptIds);
    expect(done.map((j) => j.result_details.reattached)).toEqual([true, true]);
    // Following the same prompt again after the crash is not a new attempt.
    expect(done.map((j) => j.attempts)).toEqual([1, 1]);

    // One POST /prompt and one execution per job: nothing ran twice.
    const posts = comfy.requests.filter((r) => r.method === 'POST' && r.path === '/prompt');
    expect(posts.map((r) => (r.body as { prompt_id: string }).prompt_id)).toEqual(promptIds);
    expect(comfy.executions.map((e) => [e.promptId, e.outcome])).toEqual(promptIds.map((p) => [p, 'success']));

    for (const [i, job] of done.entries()) {
      expect(job.images).toHaveLength(1);
      expect(job.images[0].seed).toBe(77);
      const saved = Buffer.from(await (await fetch(`${sq.url}${job.images[0].download_url}`)).arrayBuffer());
      const original = fs.readFileSync(path.join(comfy.dirs.output, comfy.executions[i].files[0]));
      expect(saved.equals(original)).toBe(true);
    }
  }, 150_000);

  it('on a server older than 0.3.45 (its own prompt ids) the stored id is the server\'s, so a restart reattaches', async () => {
    const old = await createComfyEmulator({ stepMs: 20, version: '0.3.44' });
    const oldTmp = makeTempDir('sq-comfy-kill-old-');
    const oldEnv = { STABLEQUEUE_DATA_DIR: oldTmp.dir };
    let proc: HeadlessProcess | null = await startHeadless(oldEnv);
    try {
      expect((await api(proc.url, 'POST', '/api/v1/servers', { alias: 'old', app_type: 'comfyui', api_url: old.url })).status).toBe(201);
      const res = await api(proc.url, 'POST', '/api/v1/generate', { target_server_alias: 'old', generation_params: { workflow: workflow('old server kill', 100) } });
      const id = res.body.mobilesd_job_id as string;
      await waitFor(() => old.executions.length === 1 && old.events.some((e) => e.type === 'progress'), { what: 'prompt sampling on the old server' });
      const serverId = old.executions[0].promptId;
      await waitFor(async () => (await api(proc!.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body.progress > 0, { what: 'progress seen' });
      await proc.kill9();
      const db = new Database(path.join(oldTmp.dir, 'stablequeue.db'), { readonly: true });
      const stored = db.prepare('SELECT backend_task_id FROM jobs WHERE mobilesd_job_id = ?').get(id) as { backend_task_id: string };
      db.close();
      expect(stored.backend_task_id).toBe(serverId);

      proc = await startHeadless(oldEnv);
      const [job] = await waitForJobs(proc.url, [id], 50_000);
      expect(job).toMatchObject({ status: 'completed', attempts: 1 });
      expect(job.result_details).toMatchObject({ prompt_id: serverId, reattached: true });
      expect(old.executions.map((e) => [e.promptId, e.outcome])).toEqual([[serverId, 'success']]);
    } finally {
      await proc?.kill9();
      await old.close();
      oldTmp.cleanup();
    }
    // Two start-ups of a real child process: slow on a loaded machine.
  }, 150_000);
});
