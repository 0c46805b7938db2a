import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../emulators/civitai/index.ts';
import { startFolderForge, type FolderForge } from '../emulators/civitai/folder-forge.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let emu: CivitaiEmulator;
let forge: FolderForge;
let sq: TestEngine;
let tmp: { dir: string; cleanup: () => void };
let lora: EmuModel;
const SIZE = 3_000_000;

beforeAll(async () => {
  emu = await startCivitaiEmulator();
  lora = await emu.addModel({ name: 'Detail Tweaker', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', files: [{ name: 'add_detail.safetensors', size: SIZE }] }] });
  tmp = makeTempDir('sq-parked-');
  const ckptDir = path.join(tmp.dir, 'models', 'Stable-diffusion');
  const loraDir = path.join(tmp.dir, 'models', 'Lora');
  fs.mkdirSync(ckptDir, { recursive: true });
  fs.mkdirSync(loraDir, { recursive: true });
  fs.writeFileSync(path.join(ckptDir, 'base_model.safetensors'), Buffer.alloc(64));
  forge = await startFolderForge({ checkpoints: ckptDir, loras: loraDir });
  sq = await startTestEngine({ checkpointPath: ckptDir, loraPath: loraDir, civitaiBaseUrl: emu.apiUrl });
  expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url })).status).toBe(201);
  await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.find((s: any) => s.alias === 'f1')?.status === 'online', { what: 'server f1 online' });
});

afterAll(async () => {
  await sq.stop();
  await forge.close();
  await emu.close();
  tmp.cleanup();
});

describe('a job waiting for a model download', () => {
  it('carries the download\'s bytes, speed and ETA in its status instead of a 0% bar', async () => {
    // Slow enough that the job is seen waiting even on a loaded machine (about 15 s).
    emu.faults.throttleBps = 200_000;
    const res = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1',
      generation_params: { positive_prompt: 'a cat', steps: 4, checkpoint_name: 'base_model', loras: [{ name: 'Detail Tweaker', weight: 0.7, civitai_version_id: lora.versions[0].id }] },
    });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    const id = res.body.mobilesd_job_id;
    const status = await waitFor(async () => {
      const s = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
      return s.status === 'downloading_resources' && s.resource_download?.bytes_done > 0 && s.resource_download?.speed_bps > 0 ? s : null;
    }, { what: 'download progress on the parked job', timeoutMs: 30_000 });
    expect(status.resource_download).toMatchObject({ file_name: 'add_detail.safetensors', total_bytes: SIZE });
    expect(status.resource_download.bytes_done).toBeLessThan(SIZE);
    expect(status.resource_download.speed_bps).toBeGreaterThan(10_000);
    expect(status.resource_download.speed_bps).toBeLessThan(5_000_000);
    expect(status.resource_download.eta_seconds).toBeGreaterThan(0);
    expect(status.progress).toBeGreaterThan(0);
    expect(status.progress).toBeLessThan(100);
    expect(status.status_text).toMatch(/^Downloading add_detail\.safetensors: \d+ [KM]B of 3 MB at \d+ KB\/s$/);
    expect(status.estimated_completion_time).not.toBeNull();
    emu.faults.throttleBps = null;
    const [done] = await waitForJobs(sq.url, [id], 60_000);
    expect(done.status).toBe('completed');
    const after = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
    expect(after.resource_download ?? null).toBeNull();
  });
});
