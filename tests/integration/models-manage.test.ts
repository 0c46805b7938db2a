import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFolderForge, type FolderForge } from '../emulators/civitai/folder-forge.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let forge: FolderForge;
let sq: TestEngine;
let tmp: { dir: string; cleanup: () => void };
let ckptDir: string;
let loraDir: string;

const SIDECARS = ['.json', '.civitai.info', '.preview.png'];
const listDir = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : []);
const byName = async (name: string) => (await api(sq.url, 'GET', `/api/v1/models?q=${encodeURIComponent(name)}`)).body.items.find((m: any) => m.name === name);

function writeModel(dir: string, base: string, fill: number): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${base}.safetensors`), Buffer.alloc(4096, fill));
  fs.writeFileSync(path.join(dir, `${base}.json`), `{"activation text": "${base} words"}`);
  fs.writeFileSync(path.join(dir, `${base}.civitai.info`), `{"id": ${100 + fill}, "modelId": ${10 + fill}, "baseModel": "SD 1.5", "model": {"name": "${base}"}}`);
  fs.writeFileSync(path.join(dir, `${base}.preview.png`), Buffer.from('89504e470d0a1a0a0000', 'hex'));
}

beforeAll(async () => {
  tmp = makeTempDir('sq-manage-');
  ckptDir = path.join(tmp.dir, 'models', 'Stable-diffusion');
  loraDir = path.join(tmp.dir, 'models', 'Lora');
  writeModel(ckptDir, 'base_model', 1);
  writeModel(ckptDir, 'doomed', 2);
  writeModel(loraDir, 'detail', 3);
  forge = await startFolderForge({ checkpoints: ckptDir, loras: loraDir });
  sq = await startTestEngine({ checkpointPath: ckptDir, loraPath: loraDir });
  expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url })).status).toBe(201);
  await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.find((s: any) => s.alias === 'f1')?.status === 'online', { what: 'server f1 online' });
  expect((await api(sq.url, 'POST', '/api/v1/models/scan', { wait: true })).body.result.files).toBe(3);
  await waitFor(async () => {
    const state = (await api(sq.url, 'GET', '/api/v1/models/scan')).body;
    return !state.scanning && state.hashing.queued === 0 && state.hashing.current === null;
  }, { what: 'hashing to finish' });
});

afterAll(async () => {
  await sq.stop();
  await forge.close();
  tmp.cleanup();
});

describe('managing library files', () => {
  it('deletes a model with all its sidecars to the trash, and undo puts every file and the library row back', async () => {
    const doomed = await byName('doomed');
    expect(doomed.civitai).toMatchObject({ version_id: 102 });
    expect(doomed.sha256).toMatch(/^[0-9a-f]{64}$/);
    const before = listDir(ckptDir);
    const del = await api(sq.url, 'DELETE', `/api/v1/models/${doomed.id}`);
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expect(del.body).toMatchObject({ model_id: doomed.id, rel_path: 'doomed.safetensors', kind: 'checkpoint' });
    expect(del.body.files.sort()).toEqual(['doomed.safetensors', ...SIDECARS.map((s) => `doomed${s}`)].sort());
    expect(listDir(ckptDir).filter((n) => n.startsWith('doomed'))).toEqual([]);
    expect((await api(sq.url, 'GET', `/api/v1/models/${doomed.id}`)).status).toBe(404);
    // A rescan does not bring it back from the trash folder.
    await api(sq.url, 'POST', '/api/v1/models/scan', { wait: true });
    expect(await byName('doomed')).toBeUndefined();
    const trash = (await api(sq.url, 'GET', '/api/v1/models/trash')).body.items;
    expect(trash.map((t: any) => t.id)).toContain(del.body.id);

    const restored = await api(sq.url, 'POST', `/api/v1/models/trash/${del.body.id}/restore`);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body).toMatchObject({ id: doomed.id, rel_path: 'doomed.safetensors', sha256: doomed.sha256, civitai: { version_id: 102 } });
    expect(listDir(ckptDir)).toEqual(before);
    expect((await api(sq.url, 'GET', '/api/v1/models/trash')).body.items.map((t: any) => t.id)).not.toContain(del.body.id);
    expect((await api(sq.url, 'POST', `/api/v1/models/trash/${del.body.id}/restore`)).status).toBe(404);
  });

  it('renames and moves a model with every sidecar, keeping its id and Civitai link', async () => {
    const doomed = await byName('doomed');
    const renamed = await api(sq.url, 'PATCH', `/api/v1/models/${doomed.id}`, { rel_path: 'renamed.safetensors' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.model).toMatchObject({ id: doomed.id, name: 'renamed', rel_path: 'renamed.safetensors', civitai: { version_id: 102 }, preview_url: `/api/v1/models/${doomed.id}/preview` });
    expect(listDir(ckptDir).filter((n) => n.startsWith('renamed') || n.startsWith('doomed')).sort())
      .toEqual(['renamed.safetensors', ...SIDECARS.map((s) => `renamed${s}`)].sort());

    const moved = await api(sq.url, 'PATCH', `/api/v1/models/${doomed.id}`, { rel_path: 'sd15/kept/renamed.safetensors' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.model).toMatchObject({ id: doomed.id, folder: 'sd15/kept', rel_path: 'sd15/kept/renamed.safetensors' });
    expect(listDir(path.join(ckptDir, 'sd15', 'kept'))).toEqual(['renamed.safetensors', ...SIDECARS.map((s) => `renamed${s}`)].sort());
    expect(listDir(ckptDir).filter((n) => n.startsWith('renamed'))).toEqual([]);
    expect((await fetch(`${sq.url}/api/v1/models/${doomed.id}/preview`)).status).toBe(200);
    // A rescan finds the same row where it now is (no duplicate, no lost hash).
    await api(sq.url, 'POST', '/api/v1/models/scan', { wait: true });
    expect((await api(sq.url, 'GET', `/api/v1/models/${doomed.id}`)).body).toMatchObject({ rel_path: 'sd15/kept/renamed.safetensors', sha256: doomed.sha256 });
  });

  it('refuses bad targets with a clear 4xx and moves nothing', async () => {
    const base = await byName('base_model');
    const bad = [
      [{ rel_path: '../escape.safetensors' }, 400, 'bad_rel_path'],
      [{ rel_path: '/abs.safetensors' }, 400, 'bad_rel_path'],
      [{ rel_path: '.trash/x.safetensors' }, 400, 'bad_rel_path'],
      [{ rel_path: 'other.ckpt' }, 400, 'bad_rel_path'],
      [{ rel_path: 'sd15/kept/renamed.safetensors' }, 409, 'target_exists'],
      [{}, 400, undefined],
    ] as const;
    for (const [body, status, code] of bad) {
      const res = await api(sq.url, 'PATCH', `/api/v1/models/${base.id}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      if (code) expect(res.body.error).toBe(code);
    }
    expect(fs.existsSync(path.join(ckptDir, 'base_model.safetensors'))).toBe(true);
    expect((await api(sq.url, 'DELETE', '/api/v1/models/99999')).status).toBe(404);
  });

  it('refuses a rename or delete while a running job uses the file, and a queued job follows a move', async () => {
    const base = await byName('base_model');
    const release = forge.holdGenerations();
    const submit = async (params: Record<string, unknown>) => {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'a cat', steps: 4, ...params } });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      return res.body.mobilesd_job_id as string;
    };
    const running = await submit({ checkpoint_name: 'base_model.safetensors' });
    await waitFor(async () => (await api(sq.url, 'GET', `/api/v1/queue/jobs/${running}/status`)).body.status === 'processing', { what: 'job running' });
    const refused = await api(sq.url, 'PATCH', `/api/v1/models/${base.id}`, { rel_path: 'base_renamed.safetensors' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('model_in_use');
    expect(refused.body.message).toContain(running);
    expect((await api(sq.url, 'DELETE', `/api/v1/models/${base.id}`)).status).toBe(409);
    expect(fs.existsSync(path.join(ckptDir, 'base_model.safetensors'))).toBe(true);

    // The LoRA is not used by the running job: it moves, and a job queued behind follows it.
    const detail = await byName('detail');
    const queued = await submit({ checkpoint_name: 'base_model.safetensors', loras: [{ name: 'detail', weight: 0.5 }] });
    const moved = await api(sq.url, 'PATCH', `/api/v1/models/${detail.id}`, { rel_path: 'style/detail_v2.safetensors' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.rewritten_jobs).toEqual([queued]);
    const params = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${queued}/status`)).body.generation_params;
    expect(params.loras[0]).toMatchObject({ name: 'detail_v2', weight: 0.5 });
    release();
    const done = await waitForJobs(sq.url, [running, queued], 30_000);
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed']);
    expect(forge.generations.at(-1)!.prompt).toContain('<lora:detail_v2:0.5>');
  });
});
