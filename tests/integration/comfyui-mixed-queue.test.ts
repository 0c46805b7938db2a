import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComfyEmulator, type ComfyEmulator } from '../emulators/comfyui/index.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers, generationRequests } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

const CKPT = 'v1-5-pruned-emaonly.safetensors';

function comfyWorkflow(text: string) {
  return {
    1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: CKPT } },
    2: { class_type: 'CLIPTextEncode', inputs: { text, clip: ['1', 1] } },
    3: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
    4: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    5: { class_type: 'KSampler', inputs: { seed: 1, steps: 3, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0] } },
    6: { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    7: { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'mixed' } },
  };
}

describe('one queue feeding Forge and ComfyUI servers side by side', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator[];
  let comfy: ComfyEmulator;

  beforeAll(async () => {
    sq = await startTestEngine();
    forge = await addForgeServers(sq.url, 2);
    comfy = await createComfyEmulator({ stepMs: 5 });
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'comfy', app_type: 'comfyui', api_url: comfy.url })).status).toBe(201);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  });
  afterAll(async () => {
    await sq?.stop();
    await Promise.all([...(forge ?? []).map((f) => f.close()), comfy?.close()]);
  });

  it('runs 60 auto-routed jobs over 2 Forge and 1 ComfyUI server, each on a server of its app type', async () => {
    const appTypeOf = new Map<string, 'forge' | 'comfyui'>();
    for (let i = 0; i < 60; i++) {
      let body: Record<string, unknown>;
      if (i % 5 === 0) {
        // The generic fields, sent to ComfyUI's built-in txt2img graph.
        body = { app_type: 'comfyui', generation_params: { positive_prompt: `mixed ${i}`, checkpoint_name: CKPT, steps: 3, width: 64, height: 64 } };
      } else if (i % 5 === 1) {
        // A raw workflow: the app type follows from it.
        body = { generation_params: { workflow: comfyWorkflow(`mixed ${i}`), randomize_seed: true } };
      } else {
        body = { generation_params: { positive_prompt: `mixed ${i}`, checkpoint_name: CKPT, steps: 3, width: 64, height: 64 } };
      }
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'auto', ...body });
      expect(res.status).toBe(202);
      appTypeOf.set(res.body.mobilesd_job_id, i % 5 < 2 ? 'comfyui' : 'forge');
    }
    const ids = [...appTypeOf.keys()];
    const done = await waitForJobs(sq.url, ids, 90_000);

    expect(done.map((j) => j.status)).toEqual(Array(60).fill('completed'));
    const serversOf = { forge: new Set(['f1', 'f2']), comfyui: new Set(['comfy']) };
    for (const job of done) {
      expect(job.app_type).toBe(appTypeOf.get(job.mobilesd_job_id));
      expect(serversOf[job.app_type as 'forge' | 'comfyui'].has(job.assigned_server_alias)).toBe(true);
      expect(job.images).toHaveLength(1);
    }
    expect(new Set(done.filter((j) => j.app_type === 'forge').map((j) => j.assigned_server_alias))).toEqual(serversOf.forge);
    expect(generationRequests(forge[0]).length + generationRequests(forge[1]).length).toBe(36);
    expect(comfy.executions.filter((e) => e.outcome === 'success')).toHaveLength(24);

    // Every image is on disk with the hash its row records.
    const rows = sq.engine.db.prepare('SELECT job_id, file_path, sha256 FROM images').all() as { job_id: string; file_path: string; sha256: string }[];
    expect(rows.filter((r) => appTypeOf.has(r.job_id))).toHaveLength(60);
    for (const row of rows) {
      const bytes = fs.readFileSync(path.join(sq.dataDir, 'outputs', row.file_path));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
    }

    // The queue API filters by app type.
    for (const appType of ['comfyui', 'forge'] as const) {
      const list = (await api(sq.url, 'GET', `/api/v1/queue/jobs?app_type=${appType}&limit=100`)).body;
      expect(list.total).toBe(appType === 'comfyui' ? 24 : 36);
      expect(list.jobs.every((j: any) => j.app_type === appType)).toBe(true);
    }
  });
});
