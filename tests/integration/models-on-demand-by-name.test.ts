import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFolderForge, type FolderForge } from '../emulators/civitai/folder-forge.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let shared: FolderForge;
let separate: FolderForge;
let sq: TestEngine;
let tmp: { dir: string; cleanup: () => void };
let ckptDir: string;
let loraDir: string;

async function submit(alias: string, params: Record<string, unknown>): Promise<string> {
  const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: alias, generation_params: { positive_prompt: 'a cat', steps: 4, ...params } });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body.mobilesd_job_id;
}

beforeAll(async () => {
  tmp = makeTempDir('sq-by-name-');
  ckptDir = path.join(tmp.dir, 'models', 'Stable-diffusion');
  loraDir = path.join(tmp.dir, 'models', 'Lora');
  const otherCkpt = path.join(tmp.dir, 'other', 'checkpoints');
  const otherLora = path.join(tmp.dir, 'other', 'loras');
  for (const d of [ckptDir, loraDir, otherCkpt, otherLora]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(ckptDir, 'base_model.safetensors'), Buffer.alloc(64, 1));
  fs.writeFileSync(path.join(otherCkpt, 'base_model.safetensors'), Buffer.alloc(64, 1));
  // One server reads the library's folders, the other its own.
  shared = await startFolderForge({ checkpoints: ckptDir, loras: loraDir });
  separate = await startFolderForge({ checkpoints: otherCkpt, loras: otherLora });
  sq = await startTestEngine({ checkpointPath: ckptDir, loraPath: loraDir });
  for (const [alias, f] of [['shared', shared], ['separate', separate]] as const) {
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias, app_type: 'forge', api_url: f.url })).status).toBe(201);
  }
  await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  // Files that arrive in the library after the servers listed their folders.
  fs.mkdirSync(path.join(ckptDir, 'sdxl'), { recursive: true });
  fs.writeFileSync(path.join(ckptDir, 'sdxl', 'new_ckpt.safetensors'), Buffer.alloc(64, 2));
  fs.writeFileSync(path.join(loraDir, 'fresh_style.safetensors'), Buffer.alloc(64, 3));
  expect((await api(sq.url, 'POST', '/api/v1/models/scan', { wait: true })).body.result.files).toBe(3);
});

afterAll(async () => {
  await sq.stop();
  await shared.close();
  await separate.close();
  tmp.cleanup();
});

describe('on-demand by name', () => {
  it('a server sharing the library folder rescans it, and the job runs with the file it lacked', async () => {
    expect(shared.checkpoints()).not.toContain('sdxl/new_ckpt.safetensors');
    const id = await submit('shared', { checkpoint_name: 'new_ckpt', loras: [{ name: 'fresh_style', weight: 0.8 }] });
    const [done] = await waitForJobs(sq.url, [id], 30_000);
    expect(done.status, done.error_message).toBe('completed');
    expect(shared.refreshes).toEqual(expect.arrayContaining(['checkpoints', 'loras']));
    expect(shared.generations.at(-1)!.prompt).toContain('<lora:fresh_style:0.8>');
    expect((shared.generations.at(-1)!.override_settings as any)?.sd_model_checkpoint).toBe('sdxl/new_ckpt.safetensors');
  });

  it('a server with its own folders fails the job saying which server lacks which file and where it is', async () => {
    const id = await submit('separate', { checkpoint_name: 'base_model', loras: [{ name: 'fresh_style', weight: 0.8 }] });
    const [done] = await waitForJobs(sq.url, [id], 30_000);
    expect(done.status).toBe('failed');
    expect(done.error_message).toContain('Server separate lacks LoRA "fresh_style"');
    expect(done.error_message).toContain(path.join(loraDir, 'fresh_style.safetensors'));
    expect(done.error_message).toContain(`Point the server's LoRA folder at ${loraDir}`);
    expect(separate.generations).toHaveLength(0);
  });

  it('counts per model the jobs that used it, when last and on which servers (failed jobs do not count)', async () => {
    const id = await submit('shared', { checkpoint_name: 'sdxl/new_ckpt.safetensors [0123456789]' });
    await waitForJobs(sq.url, [id], 30_000);
    const models = (await api(sq.url, 'GET', '/api/v1/models')).body.items;
    const idOf = (name: string) => models.find((m: any) => m.name === name).id;
    const usage = (await api(sq.url, 'GET', '/api/v1/models/usage')).body.items;
    expect(usage.map((u: any) => [u.model_id, u.jobs, u.servers])).toEqual([
      [idOf('new_ckpt'), 2, ['shared']],
      [idOf('fresh_style'), 1, ['shared']],
    ]);
    expect(Date.parse(usage[0].last_used_at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await api(sq.url, 'GET', `/api/v1/models/${idOf('base_model')}/usage`)).body).toEqual({ model_id: idOf('base_model'), jobs: 0, last_used_at: null, servers: [] });
    expect((await api(sq.url, 'GET', '/api/v1/models/99999/usage')).status).toBe(404);
  });
});
