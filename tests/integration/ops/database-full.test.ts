import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statFs, type StatFs } from '../../../electron/engine/ops/disk-space.ts';
import type { ForgeEmulator } from '../../emulators/forge/index.ts';
import { addForgeServers } from '../../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startEngineAt } from './engine-at.ts';

const MB = 1024 * 1024;

/**
 * The database's disk fills up while a job runs: simulated with SQLite's own limit
 * (PRAGMA max_page_count at the file's current size, so the next write that needs a page
 * fails with SQLITE_FULL) and a free-space reader that says the data folder is full.
 */
describe('a full disk under the database (SQLITE_FULL)', () => {
  const tmp = makeTempDir('sq-dbfull-');
  const dataDir = path.join(tmp.dir, 'data');
  const outputs = path.join(tmp.dir, 'outputs');
  let dataDiskFree = 10_000 * MB;
  const fakeStatfs: StatFs = async (dir) => {
    const real = await statFs(dir);
    return path.resolve(dir).startsWith(dataDir) ? { ...real, free: dataDiskFree } : real;
  };
  let sq: Awaited<ReturnType<typeof startEngineAt>>;
  let forge: ForgeEmulator[];

  beforeAll(async () => {
    sq = await startEngineAt(dataDir, { outputsDir: outputs, statfs: fakeStatfs, diskCheckIntervalMs: 50, diskResumeFreeBytes: 256 * MB });
    forge = await addForgeServers(sq.url, 1, { stepMs: 60 });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body[0]?.status === 'online', { what: 'server online' });
  });
  afterAll(async () => {
    await sq?.engine.stop();
    await Promise.all((forge ?? []).map((f) => f.close()));
    tmp.cleanup();
  });

  it('holds the finished job (not completed, no image row, no file), pauses with a message naming the data folder, and resumes when space is back', async () => {
    const db = sq.engine.db;
    // A long prompt: the job's image rows and events need new pages when it finishes.
    const prompt = `a lighthouse ${'in the fog '.repeat(1500)}`;
    const submitted = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: prompt, steps: 10, width: 64, height: 64 } });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const id = submitted.body.mobilesd_job_id as string;
    await waitFor(async () => (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body.status === 'processing', { what: 'job running' });
    dataDiskFree = 1 * MB;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    // Use up the free pages inside the file too, so the next write that needs a page fails.
    db.exec('CREATE TABLE test_filler (b BLOB)');
    const fill = db.prepare('INSERT INTO test_filler VALUES (zeroblob(?))');
    for (const size of [4096, 512, 64]) {
      try {
        for (;;) fill.run(size);
      } catch (error) {
        expect((error as { code?: string }).code).toBe('SQLITE_FULL');
      }
    }

    const held = await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/ops/status')).body.disk_full as string | null, { what: 'disk full reported' });
    expect(held).toBe(`disk full at ${dataDir}: 1 MB free`);
    // The database cannot even record the hand-back, so the row keeps saying processing
    // (never completed); the dispatcher keeps the job and releases it once writes go through.
    const job = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
    expect(job.status).not.toBe('completed');
    expect(job.images ?? []).toEqual([]);
    // Nothing half-written: no image row for it, no file of it.
    expect(db.prepare('SELECT COUNT(*) FROM images WHERE job_id = ?').pluck().get(id)).toBe(0);
    const files = fs.readdirSync(outputs, { recursive: true }).map(String).filter((f) => f.includes(id));
    expect(files).toEqual([]);
    expect((await api(sq.url, 'GET', '/api/v1/health/ready')).status).toBe(503);
    await new Promise((r) => setTimeout(r, 300));
    expect((await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body.status).not.toBe('completed'); // held, not retried in a loop
    expect(forge[0].requests.filter((r) => r.method === 'POST' && r.path === '/sdapi/v1/txt2img')).toHaveLength(1);

    // Space is back: the queue goes on by itself.
    db.exec('DROP TABLE test_filler');
    db.pragma('max_page_count = 1073741823');
    dataDiskFree = 10_000 * MB;
    const [done] = await waitForJobs(sq.url, [id], 30_000);
    expect(done.status).toBe('completed');
    expect(done.images).toHaveLength(1);
    expect((await api(sq.url, 'GET', '/api/v1/ops/status')).body.disk_full).toBeNull();
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
