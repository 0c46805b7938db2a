import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDatabaseFile } from '../../../electron/engine/ops/sqlite-backup.ts';
import type { ForgeEmulator } from '../../emulators/forge/index.ts';
import { addForgeServers } from '../../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startEngineAt } from './engine-at.ts';

const generate = async (url: string, target: string, prompt: string) => {
  const res = await api(url, 'POST', '/api/v1/generate', { target_server_alias: target, generation_params: { positive_prompt: prompt, steps: 2, width: 64, height: 64 } });
  expect(res.status).toBe(202);
  return res.body.mobilesd_job_id as string;
};

/** Overwrites 16 KiB in the middle of the file with random bytes, as a failing disk or a torn write would. */
function damageMiddle(file: string): void {
  const size = fs.statSync(file).size;
  const handle = fs.openSync(file, 'r+');
  fs.writeSync(handle, randomBytes(16 * 1024), 0, 16 * 1024, Math.floor(size / 2 / 4096) * 4096);
  fs.closeSync(handle);
}

/**
 * A data folder with: 2 completed jobs, 300 jobs waiting for a disabled server (so the
 * database spans many pages), a manual backup, then 1 more completed job after it.
 */
async function prepare(dataDir: string, forge: ForgeEmulator[]) {
  const sq = await startEngineAt(dataDir);
  const emulators = await addForgeServers(sq.url, 2);
  forge.push(...emulators);
  await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  expect((await api(sq.url, 'PUT', '/api/v1/servers/f2', { enabled: false })).status).toBe(200);
  const before = [await generate(sq.url, 'f1', 'a red lighthouse at dusk'), await generate(sq.url, 'f1', 'a green harbour')];
  await waitForJobs(sq.url, before);
  for (let i = 0; i < 300; i++) await generate(sq.url, 'f2', `waiting job ${i} `.padEnd(400, 'x'));
  const backup = await api(sq.url, 'POST', '/api/v1/backups');
  expect(backup.status).toBe(201);
  const after = await generate(sq.url, 'f1', 'a blue boat made after the backup');
  await waitForJobs(sq.url, [after]);
  await sq.engine.stop();
  return { before, after, backup: backup.body.name as string };
}

describe('start-up recovery from a damaged database', () => {
  const forge: ForgeEmulator[] = [];
  afterAll(async () => {
    await Promise.all(forge.map((f) => f.close()));
  });

  describe('with a backup', () => {
    const tmp = makeTempDir('sq-corrupt-');
    let sq: Awaited<ReturnType<typeof startEngineAt>> | null = null;
    let made: Awaited<ReturnType<typeof prepare>>;
    beforeAll(async () => {
      made = await prepare(tmp.dir, forge);
    });
    afterAll(async () => {
      await sq?.engine.stop();
      tmp.cleanup();
    });

    it('moves the damaged file aside, restores the newest good backup, serves, and says what may be missing', async () => {
      const file = path.join(tmp.dir, 'stablequeue.db');
      damageMiddle(file);
      expect(checkDatabaseFile(file, 'quick')).not.toBe('ok');

      sq = await startEngineAt(tmp.dir);
      const aside = fs.readdirSync(tmp.dir).filter((n) => n.startsWith('stablequeue.db.corrupt-') && !n.endsWith('-wal') && !n.endsWith('-shm'));
      expect(aside).toHaveLength(1);
      expect(checkDatabaseFile(path.join(tmp.dir, aside[0]), 'quick')).not.toBe('ok'); // kept as it was, never deleted

      const status = (await api(sq.url, 'GET', '/api/v1/ops/status')).body;
      expect(status.recovery.kind).toBe('restored_from_backup');
      expect(status.recovery.backup).toBe(made.backup);
      expect(status.recovery.moved_aside).toBe(path.join(tmp.dir, aside[0]));
      expect(status.recovery.message).toMatch(/damaged .* moved to .* backup of .* may be missing/s);
      expect(status.recovery.images_reimported).toBe(1);
      const health = (await api(sq.url, 'GET', '/api/v1/health')).body;
      expect(health).toMatchObject({ ok: true, ready: true, recovered: true });

      // The backup's jobs and servers are back; the job made after the backup came back from its image on disk.
      for (const id of made.before) expect((await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body.status).toBe('completed');
      expect((await api(sq.url, 'GET', '/api/v1/queue/jobs?status=pending&limit=1')).body.total).toBe(300);
      const later = await api(sq.url, 'GET', `/api/v1/queue/jobs/${made.after}/status`);
      expect(later.body.status).toBe('completed');
      expect(later.body.images).toHaveLength(1);
      expect((await fetch(`${sq.url}${later.body.images[0].download_url}`)).status).toBe(200);
      expect((await api(sq.url, 'GET', '/api/v1/servers')).body.map((s: any) => s.alias).sort()).toEqual(['f1', 'f2']);
      // And it runs new jobs.
      await waitFor(async () => (await api(sq!.url, 'GET', '/api/v1/servers/f1')).body.status === 'online', { what: 'f1 online' });
      const fresh = await generate(sq.url, 'f1', 'after recovery');
      expect((await waitForJobs(sq.url, [fresh]))[0].status).toBe('completed');
    });
  });

  describe('without any backup', () => {
    const tmp = makeTempDir('sq-corrupt-nobackup-');
    let sq: Awaited<ReturnType<typeof startEngineAt>> | null = null;
    let made: Awaited<ReturnType<typeof prepare>>;
    beforeAll(async () => {
      made = await prepare(tmp.dir, forge);
    });
    afterAll(async () => {
      await sq?.engine.stop();
      tmp.cleanup();
    });

    it('starts a fresh database with the servers read back and the gallery rebuilt from the images on disk', async () => {
      fs.rmSync(path.join(tmp.dir, 'backups'), { recursive: true, force: true });
      const file = path.join(tmp.dir, 'stablequeue.db');
      damageMiddle(file);
      expect(checkDatabaseFile(file, 'quick')).not.toBe('ok');

      sq = await startEngineAt(tmp.dir);
      const status = (await api(sq.url, 'GET', '/api/v1/ops/status')).body;
      expect(status.recovery.kind).toBe('fresh_database');
      expect(status.recovery.backup).toBeNull();
      expect(status.recovery.salvaged.join(' ')).toMatch(/servers \(2\)/);
      expect(status.recovery.images_reimported).toBe(3);
      expect(status.recovery.message).toMatch(/no good backup/);

      expect((await api(sq.url, 'GET', '/api/v1/servers')).body.map((s: any) => s.alias).sort()).toEqual(['f1', 'f2']);
      for (const id of [...made.before, made.after]) {
        const job = await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`);
        expect(job.body.status).toBe('completed');
        expect(job.body.images).toHaveLength(1);
        expect((await fetch(`${sq.url}${job.body.images[0].download_url}`)).status).toBe(200);
      }
      const rebuilt = sq.engine.db.prepare('SELECT positive_prompt, source_info FROM jobs WHERE mobilesd_job_id = ?').get(made.before[0]) as any;
      expect(rebuilt).toEqual({ positive_prompt: 'a red lighthouse at dusk', source_info: 'recovered_from_disk' });
      // Every image file still has its row: the start-up sweep deleted nothing.
      const files = fs.readdirSync(path.join(tmp.dir, 'outputs'), { recursive: true }).filter((n) => String(n).endsWith('.png'));
      expect(files).toHaveLength(3);
    });
  });
});
