import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process.ts';
import { api, FINISHED, waitFor, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

/** Every image row has its file with the recorded hash; every file of ours has a row. */
function checkFilesAndRows(dataDir: string) {
  const db = new Database(path.join(dataDir, 'stablequeue.db'), { readonly: true });
  const rows = db.prepare('SELECT job_id, idx, file_path, sha256 FROM images').all() as { job_id: string; idx: number; file_path: string; sha256: string }[];
  const jobs = db.prepare('SELECT mobilesd_job_id, status, attempts, max_attempts FROM jobs').all() as { mobilesd_job_id: string; status: string; attempts: number; max_attempts: number }[];
  db.close();
  const outputs = path.join(dataDir, 'outputs');
  for (const row of rows) {
    const bytes = fs.readFileSync(path.join(outputs, row.file_path));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
  }
  const files = fs.readdirSync(outputs, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
    .map((d) => path.relative(outputs, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
  expect(files.sort()).toEqual(rows.map((r) => r.file_path).sort());
  return { rows, jobs };
}

describe('crash recovery of the headless server', { timeout: 240_000 }, () => {
  let forge: ForgeEmulator;
  const tmp = makeTempDir('sq-crash-');
  const env = { STABLEQUEUE_DATA_DIR: tmp.dir, SHUTDOWN_GRACE_SECONDS: '1' };
  let sq: HeadlessProcess | null = null;

  beforeAll(async () => {
    forge = await createForgeEmulator({ stepMs: 15 });
  });
  afterAll(async () => {
    await sq?.kill9();
    await forge.close();
    tmp.cleanup();
  });

  it('loses no job and duplicates no image across repeated kill -9 mid-run', async () => {
    sq = await startHeadless(env);
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url })).status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', {
        target_server_alias: 'f1', generation_params: { positive_prompt: `crash ${i}`, steps: 4, width: 64, height: 64, batch_size: 1 + (i % 2) },
      });
      expect(res.status).toBe(202);
      ids.push(res.body.mobilesd_job_id);
    }
    // Kill at different points of the run: mid-generation, between jobs, during saving.
    for (const afterCompleted of [3, 9, 15]) {
      await waitFor(async () => {
        const list = await api(sq!.url, 'GET', '/api/v1/queue/jobs?status=completed&limit=1');
        return list.body.total >= afterCompleted;
      }, { what: `${afterCompleted} completed jobs`, intervalMs: 5 });
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      await sq.kill9();
      sq = await startHeadless(env);
    }
    const final = await waitForJobs(sq.url, ids, 60_000);
    expect(final).toHaveLength(24);
    for (const job of final) expect(FINISHED.has(job.status)).toBe(true);
    expect(final.filter((j) => j.status === 'completed').length).toBe(24);
    for (const job of final) expect(job.images).toHaveLength(1 + (ids.indexOf(job.mobilesd_job_id) % 2));
    await sq.terminate();
    sq = null;
    const { rows, jobs } = checkFilesAndRows(tmp.dir);
    expect(new Set(rows.map((r) => `${r.job_id}/${r.idx}`)).size).toBe(rows.length);
    expect(rows).toHaveLength(36);
    for (const job of jobs) expect(job.attempts).toBeLessThanOrEqual(job.max_attempts);
  });

  it('on SIGTERM stops claiming, requeues the running job after the grace period, and runs it after restart', async () => {
    forge.setStepMs(200);
    sq = await startHeadless(env);
    const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'sigterm', steps: 40, width: 64, height: 64 } });
    const id = res.body.mobilesd_job_id;
    await waitFor(async () => (await api(sq!.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body.status === 'processing', { what: 'processing' });
    const code = await sq.terminate();
    expect(code).toBe(0);
    const db = new Database(path.join(tmp.dir, 'stablequeue.db'), { readonly: true });
    const row = db.prepare('SELECT status, attempts FROM jobs WHERE mobilesd_job_id = ?').get(id) as { status: string; attempts: number };
    db.close();
    expect(row).toEqual({ status: 'pending', attempts: 0 });
    expect(forge.requests.some((r) => r.path === '/sdapi/v1/interrupt')).toBe(true);
    forge.setStepMs(5);
    sq = await startHeadless(env);
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('completed');
    await sq.terminate();
    sq = null;
    checkFilesAndRows(tmp.dir);
  });
});
