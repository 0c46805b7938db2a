import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statFs, type StatFs } from '../../../electron/engine/ops/disk-space.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { api, waitFor } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../../emulators/civitai/index.ts';

const MB = 1024 * 1024;

describe('a download that does not fit is refused before it starts', () => {
  const lib = makeTempDir('sq-dl-space-');
  const ckptDir = path.join(lib.dir, 'models', 'Stable-diffusion');
  const loraDir = path.join(lib.dir, 'models', 'Lora');
  /** Free bytes the fake filesystem reports for the model folders; elsewhere the real reading. */
  let modelDiskFree = 20 * MB;
  const fakeStatfs: StatFs = async (dir) => {
    const real = await statFs(dir);
    return path.resolve(dir).startsWith(path.join(lib.dir, 'models')) ? { ...real, free: modelDiskFree } : real;
  };
  let emu: CivitaiEmulator;
  let sq: TestEngine;
  let model: EmuModel;

  beforeAll(async () => {
    fs.mkdirSync(ckptDir, { recursive: true });
    fs.mkdirSync(loraDir, { recursive: true });
    emu = await startCivitaiEmulator();
    model = await emu.addModel({ name: 'Big one', type: 'Checkpoint', versions: [{ name: 'v1', baseModel: 'SDXL 1.0', files: [{ name: 'big_one.safetensors', size: 300_000 }] }] });
    sq = await startTestEngine({ checkpointPath: ckptDir, loraPath: loraDir, civitaiBaseUrl: emu.apiUrl, statfs: fakeStatfs });
  });
  afterAll(async () => {
    await sq.stop();
    await emu.close();
    lib.cleanup();
  });

  it('answers 507 disk_full naming the folder and the space, writes no row and no file; with space it downloads', async () => {
    const served = emu.requests.length;
    const refused = await api(sq.url, 'POST', '/api/v1/civitai/download-model', { version_id: model.versions[0].id });
    expect(refused.status, JSON.stringify(refused.body)).toBe(507);
    expect(refused.body.error).toBe('download_disk_full'); // download errors carry the download_ prefix
    expect(refused.body.message).toContain(ckptDir);
    expect(refused.body.message).toMatch(/20 MB are free/);
    const listed = (await api(sq.url, 'GET', '/api/v1/downloads')).body;
    expect(listed.downloads ?? listed).toHaveLength(0);
    expect(fs.readdirSync(ckptDir)).toEqual([]);
    // Not one byte asked of the file host.
    expect(emu.requests.slice(served).filter((r) => r.server === 'cdn' || r.path.includes('/download/'))).toEqual([]);

    modelDiskFree = 500 * MB;
    const accepted = await api(sq.url, 'POST', '/api/v1/civitai/download-model', { version_id: model.versions[0].id });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const done = await waitFor(async () => {
      const res = await api(sq.url, 'GET', `/api/v1/downloads/${accepted.body.download.id}`);
      return ['completed', 'failed'].includes(res.body.status) ? res.body : null;
    }, { timeoutMs: 30_000, what: 'download settled' });
    expect(done.status).toBe('completed');
    expect(fs.statSync(path.join(ckptDir, 'big_one.safetensors')).size).toBe(300_000);
  });
});
