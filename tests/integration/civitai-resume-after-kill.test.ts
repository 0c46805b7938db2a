import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process.ts';
import { api, waitFor } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startCivitaiEmulator, type CivitaiEmulator } from '../emulators/civitai/index.ts';

const SIZE = 1024 * 1024 * 1024; // 1 GiB
const STALL_AT = 400 * 1024 * 1024 + 12_345;

let emu: CivitaiEmulator | null = null;
let tmp: { dir: string; cleanup: () => void } | null = null;
const processes: HeadlessProcess[] = [];

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.terminate();
  await emu?.close();
  tmp?.cleanup();
});

function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  try {
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

describe('a 1 GB download survives kill -9', () => {
  it('resumes from the .part offset after a restart, and the hash is verified', async () => {
    emu = await startCivitaiEmulator();
    const model = await emu.addModel({
      name: 'Big Checkpoint', type: 'Checkpoint',
      versions: [{ name: 'v1', baseModel: 'SDXL 1.0', files: [{ name: 'big_checkpoint.safetensors', size: SIZE, metadata: { 'modelspec.architecture': 'stable-diffusion-xl-v1-base' } }] }],
    });
    const file = model.versions[0].files[0];
    const expectedSha = file.hashes!.SHA256.toLowerCase();
    tmp = makeTempDir('sq-resume-');
    const ckpt = path.join(tmp.dir, 'models', 'Stable-diffusion');
    fs.mkdirSync(ckpt, { recursive: true });
    const env = { STABLEQUEUE_DATA_DIR: path.join(tmp.dir, 'data'), CHECKPOINT_PATH: ckpt, CIVITAI_BASE_URL: emu.apiUrl };

    // 1. Start, queue the download; storage stalls at STALL_AT, mid-file.
    emu.faults.stallAt = { fileId: file.id, offset: STALL_AT };
    const first = await startHeadless(env);
    processes.push(first);
    const queued = await api(first.url, 'POST', '/api/v1/civitai/download-model', { version_id: model.versions[0].id });
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    const id = queued.body.download.id as string;
    const part = path.join(ckpt, 'big_checkpoint.safetensors.part');
    await emu.waitForStall();
    await waitFor(() => fs.existsSync(part) && fs.statSync(part).size === STALL_AT, { what: 'the .part to hold every byte sent', timeoutMs: 60_000 });

    // 2. kill -9 mid-transfer: no shutdown code runs.
    await first.kill9();
    emu.releaseStalls();
    const db = new Database(path.join(env.STABLEQUEUE_DATA_DIR, 'stablequeue.db'), { readonly: true });
    const row = db.prepare('SELECT status FROM downloads WHERE id = ?').get(id) as { status: string };
    db.close();
    expect(row.status).toBe('active');
    const offset = fs.statSync(part).size;
    expect(offset).toBe(STALL_AT);

    // 3. Restart: the queue resumes the transfer from the .part's size, not from zero.
    const second = await startHeadless(env);
    processes.push(second);
    const done = await waitFor(async () => {
      const res = await api(second.url, 'GET', `/api/v1/downloads/${id}`);
      return ['completed', 'failed'].includes(res.body?.status) ? res.body : null;
    }, { what: 'the resumed download', timeoutMs: 150_000, intervalMs: 200 });
    expect(done.status, done.error_message).toBe('completed');

    const transfers = emu.transfers.filter((t) => t.fileId === file.id);
    expect(transfers[0]).toMatchObject({ start: 0, status: 200 });
    const resumed = transfers.filter((t) => t.start > 0);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ start: offset, status: 206, bytesSent: SIZE - offset });
    const ranges = emu.requests.filter((r) => r.server === 'cdn' && r.path.startsWith(`/files/${file.id}/`)).map((r) => r.range);
    expect(ranges).toEqual([null, `bytes=${offset}-`]);
    expect(transfers.reduce((sum, t) => sum + t.bytesSent, 0)).toBe(SIZE);

    // 4. The file is whole, verified by StableQueue and by the test.
    const target = path.join(ckpt, 'big_checkpoint.safetensors');
    expect(fs.existsSync(part)).toBe(false);
    expect(fs.statSync(target).size).toBe(SIZE);
    const library = await api(second.url, 'GET', `/api/v1/models/${done.library_model_id}`);
    expect(library.body.sha256).toBe(expectedSha);
    expect(sha256File(target)).toBe(expectedSha);
    await second.terminate();
    fs.rmSync(target, { force: true });
  }, 240_000);
});
