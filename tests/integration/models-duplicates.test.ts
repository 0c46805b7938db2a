import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../emulators/civitai/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let emu: CivitaiEmulator;
let sq: TestEngine;
let tmp: { dir: string; cleanup: () => void };
let ckptDir: string;
let jug: EmuModel;

const version = (name: string) => jug.versions.find((v) => v.name === name)!;
const bytesServed = (fileId: number) => emu.transfers.filter((t) => t.fileId === fileId).reduce((n, t) => n + t.bytesSent, 0);

beforeAll(async () => {
  emu = await startCivitaiEmulator();
  jug = await emu.addModel({
    name: 'Juggernaut XL', type: 'Checkpoint',
    versions: [
      { name: 'v8', baseModel: 'SDXL 1.0', publishedAt: '2025-01-01T00:00:00.000Z', files: [{ name: 'juggernautXL_v8.safetensors', size: 50_000 }] },
      { name: 'v9', baseModel: 'SDXL 1.0', publishedAt: '2025-06-01T00:00:00.000Z', files: [{ name: 'juggernautXL_v9.safetensors', size: 60_000 }] },
      { name: 'v10', baseModel: 'SDXL 1.0', publishedAt: '2025-09-01T00:00:00.000Z', files: [{ name: 'juggernautXL_v10.safetensors', size: 70_000 }] },
    ],
  });
  tmp = makeTempDir('sq-dupes-');
  ckptDir = path.join(tmp.dir, 'models', 'Stable-diffusion');
  fs.mkdirSync(path.join(ckptDir, 'old'), { recursive: true });
  const v8 = version('v8').files[0];
  const v9 = version('v9').files[0];
  // The v8 file twice under names of the user's choosing, v9 once.
  fs.writeFileSync(path.join(ckptDir, 'my_juggernaut.safetensors'), v8.content.read(0, v8.content.size));
  fs.writeFileSync(path.join(ckptDir, 'old', 'jugg_copy.safetensors'), v8.content.read(0, v8.content.size));
  fs.writeFileSync(path.join(ckptDir, 'jugg9.safetensors'), v9.content.read(0, v9.content.size));
  sq = await startTestEngine({ checkpointPath: ckptDir, civitaiBaseUrl: emu.apiUrl });
  await api(sq.url, 'POST', '/api/v1/models/scan', { wait: true });
  await waitFor(async () => {
    const state = (await api(sq.url, 'GET', '/api/v1/models/scan')).body;
    return !state.scanning && state.hashing.queued === 0 && state.hashing.current === null;
  }, { what: 'hashing to finish' });
  expect((await api(sq.url, 'POST', '/api/v1/models/identify', {})).body).toMatchObject({ found: 3 });
});

afterAll(async () => {
  await sq.stop();
  await emu.close();
  tmp.cleanup();
});

describe('no duplicate downloads', () => {
  it('says a version whose file is already present (by hash) is there before any byte is transferred, and the download skips it', async () => {
    const v8 = version('v8');
    const cdnBefore = emu.requests.filter((r) => r.server === 'cdn').length;
    const check = await api(sq.url, 'POST', '/api/v1/civitai/download-check', { version_id: v8.id });
    expect(check.status, JSON.stringify(check.body)).toBe(200);
    expect(check.body).toMatchObject({ advice: 'skip', file_name: 'juggernautXL_v8.safetensors', same_file: { rel_path: expect.stringMatching(/jugg/) } });
    expect(check.body.message).toContain('already in the library');

    const download = await api(sq.url, 'POST', '/api/v1/civitai/download-model', { version_id: v8.id });
    expect(download.status, JSON.stringify(download.body)).toBe(200);
    expect(download.body).toMatchObject({ already_installed: true, download: { status: 'completed' } });
    expect(bytesServed(v8.files[0].id)).toBe(0);
    expect(emu.requests.filter((r) => r.server === 'cdn').length).toBe(cdnBefore);
    expect(emu.requests.some((r) => r.path.startsWith('/api/download/'))).toBe(false);
    expect(fs.existsSync(path.join(ckptDir, 'juggernautXL_v8.safetensors'))).toBe(false);
  });

  it('advises a plain download for a version not in the library, naming the versions that are', async () => {
    const check = (await api(sq.url, 'POST', '/api/v1/civitai/download-check', { version_id: version('v10').id })).body;
    expect(check).toMatchObject({ advice: 'download', same_file: null, same_version: [] });
    expect(check.other_versions.map((m: any) => m.rel_path).sort()).toEqual(['jugg9.safetensors', 'my_juggernaut.safetensors', 'old/jugg_copy.safetensors']);
    expect((await api(sq.url, 'POST', '/api/v1/civitai/download-check', { version_id: 999_999 })).status).toBe(404);
    expect((await api(sq.url, 'POST', '/api/v1/civitai/download-check', {})).status).toBe(400);
  });

  it('lists the same file at several paths and the older versions of a model', async () => {
    const dupes = (await api(sq.url, 'GET', '/api/v1/models/duplicates')).body;
    expect(dupes.same_hash).toHaveLength(1);
    expect(dupes.same_hash[0].models.map((m: any) => m.rel_path).sort()).toEqual(['my_juggernaut.safetensors', 'old/jugg_copy.safetensors']);
    expect(dupes.older_versions).toHaveLength(1);
    expect(dupes.older_versions[0]).toMatchObject({ civitai_model_id: jug.id, model_name: 'Juggernaut XL', newest: { rel_path: 'jugg9.safetensors' } });
    expect(dupes.older_versions[0].older.map((m: any) => m.civitai.version_name)).toEqual(['v8', 'v8']);
  });
});
