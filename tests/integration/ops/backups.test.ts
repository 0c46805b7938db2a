import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeEmulator } from '../../emulators/forge/index.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { addForgeServers } from '../../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startEngineAt } from './engine-at.ts';

const HOUR = 60 * 60_000;

function readBackup(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      jobs: db.prepare('SELECT mobilesd_job_id AS id, status, archived FROM jobs ORDER BY creation_timestamp').all() as { id: string; status: string; archived: number }[],
      servers: db.prepare('SELECT alias FROM servers').pluck().all() as string[],
      images: db.prepare('SELECT COUNT(*) FROM images').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

describe('database backups', () => {
  const tmp = makeTempDir('sq-backups-');
  const clock = new FakeClock(Date.parse('2026-03-01T08:00:00Z'));
  let sq: Awaited<ReturnType<typeof startEngineAt>>;
  let forge: ForgeEmulator[];
  let jobIds: string[] = [];
  const backupsDir = path.join(tmp.dir, 'backups');
  const list = async () => (await api(sq.url, 'GET', '/api/v1/backups')).body;

  beforeAll(async () => {
    sq = await startEngineAt(tmp.dir, { clock, backupCheckIntervalMs: 25 });
    forge = await addForgeServers(sq.url, 1);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body[0]?.status === 'online', { what: 'server online' });
    for (const prompt of ['a lighthouse', 'a harbour']) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: prompt, steps: 2, width: 64, height: 64 } });
      jobIds.push(res.body.mobilesd_job_id);
    }
    await waitForJobs(sq.url, jobIds);
  });
  afterAll(async () => {
    await sq.engine.stop();
    await Promise.all(forge.map((f) => f.close()));
    tmp.cleanup();
  });

  it('takes a daily backup by the injected clock, and it opens as a valid database with the jobs of that day', async () => {
    const first = (await list()).backups.filter((b: any) => b.reason === 'daily');
    expect(first).toHaveLength(1); // at start-up: there was none yet
    expect(first[0].created_at).toBe('2026-03-01T08:00:00.000Z');

    clock.advance(23 * HOUR);
    await new Promise((r) => setTimeout(r, 150));
    expect((await list()).backups.filter((b: any) => b.reason === 'daily')).toHaveLength(1);

    clock.advance(2 * HOUR);
    const daily = await waitFor(async () => (await list()).backups.find((b: any) => b.reason === 'daily' && b.created_at === '2026-03-02T09:00:00.000Z'), { what: 'second daily backup' });
    const copy = readBackup(path.join(backupsDir, daily.name));
    expect(copy.integrity).toBe('ok');
    expect(copy.jobs.map((j) => j.id).sort()).toEqual([...jobIds].sort());
    expect(copy.jobs.every((j) => j.status === 'completed')).toBe(true);
    expect(copy.servers).toEqual(['f1']);
    expect(copy.images).toBe(2);
  });

  it('backs up before "clear finished": the backup still holds the cleared jobs', async () => {
    const cleared = await api(sq.url, 'POST', '/api/v1/queue/clear');
    expect(cleared.status).toBe(200);
    expect(cleared.body.cleared).toBe(2);
    const preClear = (await list()).backups.find((b: any) => b.reason === 'pre-clear');
    expect(preClear).toBeTruthy();
    const copy = readBackup(path.join(backupsDir, preClear.name));
    expect(copy.integrity).toBe('ok');
    expect(copy.jobs.filter((j) => j.archived === 0).map((j) => j.id).sort()).toEqual([...jobIds].sort());
    const live = sq.engine.db.prepare('SELECT COUNT(*) FROM jobs WHERE archived = 0').pluck().get();
    expect(live).toBe(0);
  });

  it('keeps only the newest N backups (the backup_keep setting)', async () => {
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { backup_keep: 3 })).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      const made = await api(sq.url, 'POST', '/api/v1/backups');
      expect(made.status).toBe(201);
      expect(made.body.reason).toBe('manual');
    }
    const now = await list();
    expect(now.keep).toBe(3);
    expect(now.backups).toHaveLength(3);
    expect(now.backups.map((b: any) => b.reason), JSON.stringify(now.backups)).toEqual(['manual', 'manual', 'manual']);
    expect(fs.readdirSync(backupsDir).filter((n) => n.endsWith('.db'))).toHaveLength(3);
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { backup_keep: 0 })).status).toBe(400);
  });

  it('refuses a restore of an unknown backup or a bad body with a clear 4xx', async () => {
    const unknown = await api(sq.url, 'POST', '/api/v1/backups/restore', { name: 'stablequeue-nope.db' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('restore_refused');
    expect((await api(sq.url, 'POST', '/api/v1/backups/restore', {})).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/backups/restore', { name: 'x', extra: 1 })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/backups/restore', { name: '../stablequeue.db' })).status).toBe(404);
  });

  it('restores a backup at the next start: the cleared jobs are back, the replaced database is backed up first', async () => {
    const target = (await list()).backups[0];
    // Put a known state into the backup to restore: the newest manual backup has the cleared (archived) jobs.
    const asked = await api(sq.url, 'POST', '/api/v1/backups/restore', { name: target.name });
    expect(asked.status).toBe(202);
    expect(asked.body.restart_required).toBe(true);
    expect((await list()).pending_restore).toBe(target.name);
    // A change made after the backup is gone after the restore.
    sq.engine.db.prepare('UPDATE jobs SET archived = 0').run();

    await sq.engine.stop();
    clock.advance(1000);
    sq = await startEngineAt(tmp.dir, { clock, backupCheckIntervalMs: 25 });
    const status = (await api(sq.url, 'GET', '/api/v1/ops/status')).body;
    expect(status.recovery.kind).toBe('restore_requested');
    expect(status.recovery.backup).toBe(target.name);
    expect(status.recovery.message).toContain('restored from the backup');
    expect(sq.engine.db.prepare('SELECT COUNT(*) FROM jobs WHERE archived = 0').pluck().get()).toBe(0);
    const after = await list();
    expect(after.pending_restore).toBeNull();
    const preRestore = after.backups.find((b: any) => b.reason === 'pre-restore');
    expect(preRestore).toBeTruthy();
    expect(readBackup(path.join(backupsDir, preRestore.name)).jobs.filter((j) => j.archived === 0)).toHaveLength(2);
    // The images of the restored jobs are still served.
    const status1 = await api(sq.url, 'GET', `/api/v1/queue/jobs/${jobIds[0]}/status`);
    expect(status1.body.status).toBe('completed');
    const image = await fetch(`${sq.url}${status1.body.images[0].download_url}`);
    expect(image.status).toBe(200);
  });
});
