import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeEmulator } from '../../emulators/forge/index.ts';
import { addForgeServers } from '../../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startEngineAt } from './engine-at.ts';

/** A real 2 MB tmpfs as the outputs folder: only root may mount one. */
function mountTinyDisk(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fills the disk with `filler` until fewer than `leaveBytes` remain. */
function fillDisk(dir: string, filler: string, leaveBytes: number): void {
  const free = () => { const s = fs.statfsSync(dir); return s.bavail * s.bsize; };
  const handle = fs.openSync(filler, 'a');
  try {
    const chunk = Buffer.alloc(4096, 7);
    while (free() > leaveBytes) fs.writeSync(handle, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(handle);
  }
}

function outputFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
}

const tmp = makeTempDir('sq-diskfull-');
const outputs = path.join(tmp.dir, 'outputs');
fs.mkdirSync(outputs, { recursive: true });
const mounted = mountTinyDisk(outputs);

describe.skipIf(!mounted)('a full disk under the outputs folder (real 2 MB tmpfs)', () => {
  let sq: Awaited<ReturnType<typeof startEngineAt>>;
  let forge: ForgeEmulator[];
  const filler = path.join(outputs, 'filler.bin');
  const generate = async (params: Record<string, unknown>) =>
    (await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { steps: 2, width: 64, height: 64, ...params } })).body.mobilesd_job_id as string;

  beforeAll(async () => {
    sq = await startEngineAt(path.join(tmp.dir, 'data'), { outputsDir: outputs, diskCheckIntervalMs: 50, diskResumeFreeBytes: 256 * 1024 });
    forge = await addForgeServers(sq.url, 1);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body[0]?.status === 'online', { what: 'server online' });
  });
  afterAll(async () => {
    await sq?.engine.stop();
    await Promise.all((forge ?? []).map((f) => f.close()));
    if (mounted) execFileSync('umount', [outputs]);
    tmp.cleanup();
  });

  it('holds the job (not completed, no partial file), pauses the queue with a clear message, and resumes when space is back', async () => {
    // One image of this size fits in what is left; a batch of two does not.
    const probe = await generate({ positive_prompt: 'probe' });
    const [probed] = await waitForJobs(sq.url, [probe]);
    expect(probed.status).toBe('completed');
    const imageBytes = fs.statSync(path.join(outputs, outputFiles(outputs).find((f) => f.includes(probe))!)).size;
    const pages = Math.ceil(imageBytes / 4096);
    fillDisk(outputs, filler, pages * 4096);

    const id = await generate({ positive_prompt: 'a batch that does not fit', batch_size: 2 });
    const held = await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/ops/status')).body.disk_full as string | null, { what: 'disk full reported' });
    expect(held).toMatch(new RegExp(`^disk full at ${outputs.replace(/[/.-]/g, '\\$&')}: \\d+ MB free$`));

    const job = await waitFor(async () => {
      const s = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
      return s.status === 'pending' ? s : null;
    }, { what: 'job back in the queue' });
    expect(job.error_message ?? job.result_details?.error ?? '').not.toBe('');
    // Nothing of it on disk: neither its first image nor a temp file.
    expect(outputFiles(outputs).filter((f) => f.includes(id) || f.endsWith('.sq-tmp'))).toEqual([]);
    const ready = await api(sq.url, 'GET', '/api/v1/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.disk).toBe(held);
    expect((await api(sq.url, 'GET', '/api/v1/health')).body.ok).toBe(true); // alive: no container restart for a full disk

    // Queue held: a new job waits too, and the held job is not retried in a loop.
    const second = await generate({ positive_prompt: 'waits as well' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await api(sq.url, 'GET', `/api/v1/queue/jobs/${second}/status`)).body.status).toBe('pending');
    expect(outputFiles(outputs).filter((f) => f.includes(id) || f.includes(second))).toEqual([]);

    // Space comes back: the queue goes on by itself and both complete.
    fs.rmSync(filler);
    const done = await waitForJobs(sq.url, [id, second], 30_000);
    expect(done.map((d) => d.status)).toEqual(['completed', 'completed']);
    expect(done[0].images).toHaveLength(2);
    expect(done[0].attempts ?? 1).toBeLessThanOrEqual(1); // the disk-full attempt was not counted
    expect((await api(sq.url, 'GET', '/api/v1/ops/status')).body.disk_full).toBeNull();

    // No completed job without its file, and no file without its row.
    const rows = sq.engine.db.prepare('SELECT file_path, sha256 FROM images').all() as { file_path: string; sha256: string }[];
    for (const row of rows) expect(createHash('sha256').update(fs.readFileSync(path.join(outputs, row.file_path))).digest('hex')).toBe(row.sha256);
    expect(outputFiles(outputs).sort()).toEqual(rows.map((r) => r.file_path).sort());
  });
});
