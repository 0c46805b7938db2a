import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../emulators/civitai/index.ts';
import { startFolderForge, type FolderForge } from '../emulators/civitai/folder-forge.ts';

let emu: CivitaiEmulator;
let forge: FolderForge;
let sq: TestEngine;
let tmp: { dir: string; cleanup: () => void };
let ckptDir: string;
let loraDir: string;
const m: Record<string, EmuModel> = {};

async function submit(params: Record<string, unknown>): Promise<string> {
  const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'a cat', steps: 4, ...params } });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body.mobilesd_job_id;
}

beforeAll(async () => {
  emu = await startCivitaiEmulator();
  m.ckpt = await emu.addModel({ name: 'Juggernaut XL', type: 'Checkpoint', versions: [{ name: 'v9', baseModel: 'SDXL 1.0', files: [{ name: 'juggernautXL_v9.safetensors', size: 400_000 }] }] });
  m.lora = await emu.addModel({ name: 'Detail Tweaker', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', trainedWords: ['detailed'], files: [{ name: 'add_detail.safetensors', size: 60_000 }] }] });
  m.byHash = await emu.addModel({ name: 'Hashed', type: 'Checkpoint', versions: [{ name: 'v1', baseModel: 'Pony', files: [{ name: 'ponyHashed_v1.safetensors', size: 90_000 }] }] });
  m.early = await emu.addModel({ name: 'Early bird', type: 'LORA', versions: [{ name: 'v2', baseModel: 'SD 1.5', access: 'early_access', files: [{ name: 'early.safetensors', size: 30_000 }] }] });
  tmp = makeTempDir('sq-ondemand-');
  ckptDir = path.join(tmp.dir, 'models', 'Stable-diffusion');
  loraDir = path.join(tmp.dir, 'models', 'Lora');
  fs.mkdirSync(ckptDir, { recursive: true });
  fs.mkdirSync(loraDir, { recursive: true });
  fs.writeFileSync(path.join(ckptDir, 'base_model.safetensors'), Buffer.alloc(64));
  forge = await startFolderForge({ checkpoints: ckptDir, loras: loraDir });
  sq = await startTestEngine({ checkpointPath: ckptDir, loraPath: loraDir, civitaiBaseUrl: emu.apiUrl });
  const added = await api(sq.url, 'POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.find((s: any) => s.alias === 'f1')?.status === 'online', { what: 'server f1 online' });
});

afterAll(async () => {
  await sq.stop();
  await forge.close();
  await emu.close();
  tmp.cleanup();
});

describe('on-demand models', () => {
  it('downloads a missing checkpoint (AIR) and LoRA (version id); the job waits in downloading_resources, then runs', async () => {
    emu.faults.throttleBps = 400_000;
    const air = `urn:air:sdxl:checkpoint:civitai:${m.ckpt.id}@${m.ckpt.versions[0].id}`;
    const id = await submit({ checkpoint_name: 'Juggernaut XL', civitai_air: air, loras: [{ name: 'Detail Tweaker', weight: 0.7, civitai_version_id: m.lora.versions[0].id }] });
    const waiting = await waitFor(async () => {
      const s = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
      return s.status === 'downloading_resources' ? s : null;
    }, { what: 'the job to wait for its models', intervalMs: 10 });
    expect(waiting.error_message).toMatch(/Downloading from Civitai: Juggernaut XL \(juggernautXL_v9\.safetensors/);
    expect(waiting.assigned_server_alias).toBeNull();
    emu.faults.throttleBps = null;
    const [done] = await waitForJobs(sq.url, [id], 60_000);
    expect(done.status, done.error_message).toBe('completed');
    expect(fs.existsSync(path.join(ckptDir, 'juggernautXL_v9.safetensors'))).toBe(true);
    expect(fs.existsSync(path.join(loraDir, 'add_detail.safetensors'))).toBe(true);
    expect(forge.refreshes).toEqual(expect.arrayContaining(['checkpoints', 'loras']));
    const sent = forge.generations.at(-1)!;
    expect((sent.override_settings as Record<string, unknown>).sd_model_checkpoint).toBe('juggernautXL_v9.safetensors');
    expect(sent.prompt).toBe('a cat <lora:add_detail:0.7>');
    expect(done.generation_params.checkpoint_name).toBe('juggernautXL_v9.safetensors');
    expect(done.generation_params.loras[0].name).toBe('add_detail');
    expect(done.attempts).toBe(1);
  });

  it('finds a checkpoint by hash alone and fills in its name', async () => {
    const file = m.byHash.versions[0].files[0];
    const id = await submit({ checkpoint_hash: file.hashes!.AutoV2 });
    const [done] = await waitForJobs(sq.url, [id], 60_000);
    expect(done.status, done.error_message).toBe('completed');
    expect(done.generation_params.checkpoint_name).toBe('ponyHashed_v1.safetensors');
    expect((forge.generations.at(-1)!.override_settings as Record<string, unknown>).sd_model_checkpoint).toBe('ponyHashed_v1.safetensors');
  });

  it('runs at once when the server has everything (no Civitai call)', async () => {
    const before = emu.requests.length;
    const id = await submit({ checkpoint_name: 'base_model', loras: [{ name: 'add_detail' }] });
    const [done] = await waitForJobs(sq.url, [id], 30_000);
    expect(done.status).toBe('completed');
    expect(emu.requests.length).toBe(before);
  });

  it('fails with a message naming what is missing when nothing identifies it', async () => {
    const id = await submit({ checkpoint_name: 'base_model', loras: [{ name: 'not_here', weight: 1 }] });
    const [done] = await waitForJobs(sq.url, [id], 30_000);
    expect(done.status).toBe('failed');
    expect(done.error_message).toMatch(/LoRA "not_here" is not on server f1, and the job carries no Civitai version id, AIR or hash/);
  });

  it('fails the waiting job when its download fails (early access)', async () => {
    const id = await submit({ checkpoint_name: 'base_model', loras: [{ name: 'early', civitai_version_id: m.early.versions[0].id }] });
    const [done] = await waitForJobs(sq.url, [id], 30_000);
    expect(done.status).toBe('failed');
    expect(done.error_message).toMatch(/The download of early\.safetensors this job needed failed: .*Early Access/);
    expect(fs.existsSync(path.join(loraDir, 'early.safetensors'))).toBe(false);
  });
});
