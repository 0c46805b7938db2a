import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePng } from '../../emulators/png.ts';
import { api } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startEngineAt } from './engine-at.ts';

/** A jobs database as MobileSD wrote it (its own schema, before StableQueue's columns). */
function writeMobileSdDatabase(file: string): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE IF NOT EXISTS jobs (
    mobilesd_job_id TEXT PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    creation_timestamp TEXT NOT NULL, last_updated_timestamp TEXT NOT NULL, completion_timestamp TEXT,
    target_server_alias TEXT NOT NULL, forge_session_hash TEXT, generation_params_json TEXT NOT NULL,
    result_details_json TEXT, retry_count INTEGER DEFAULT 0, forge_internal_task_id TEXT)`);
  const insert = db.prepare(`INSERT INTO jobs VALUES (@id, @status, @created, @created, @completed, 'forge-1', 'sess', @params, @details, 0, NULL)`);
  insert.run({ id: '11111111-1111-4111-8111-111111111111', status: 'completed', created: '2025-05-01T10:00:00.000Z', completed: '2025-05-01T10:01:00.000Z',
    params: JSON.stringify({ positive_prompt: 'an old lighthouse', checkpoint_name: 'sdxl.safetensors', steps: 20 }),
    details: JSON.stringify({ saved_filenames: ['mobilesd_old.png'] }) });
  insert.run({ id: '22222222-2222-4222-8222-222222222222', status: 'failed', created: '2025-05-01T11:00:00.000Z', completed: '2025-05-01T11:00:05.000Z',
    params: JSON.stringify({ positive_prompt: 'a broken one' }), details: JSON.stringify({ error: 'Forge answered 500' }) });
  insert.run({ id: '33333333-3333-4333-8333-333333333333', status: 'processing', created: '2025-05-01T12:00:00.000Z', completed: null,
    params: JSON.stringify({ positive_prompt: 'left running' }), details: null });
  db.close();
}

describe('import of a MobileSD jobs database', () => {
  const tmp = makeTempDir('sq-mobilesd-');
  afterAll(() => tmp.cleanup());

  it('imports its history once (a pre-import backup first), with the images it names that are in the outputs folder', async () => {
    writeMobileSdDatabase(path.join(tmp.dir, 'mobilesd.db'));
    fs.mkdirSync(path.join(tmp.dir, 'outputs'), { recursive: true });
    fs.writeFileSync(path.join(tmp.dir, 'outputs', 'mobilesd_old.png'), await makePng({ width: 8, height: 8, seed: 1, text: { parameters: 'an old lighthouse\nSteps: 20, Seed: 7' } }));

    let sq = await startEngineAt(tmp.dir);
    try {
      const done = (await api(sq.url, 'GET', '/api/v1/queue/jobs/11111111-1111-4111-8111-111111111111/status')).body;
      expect(done.status).toBe('completed');
      expect(done.images).toHaveLength(1);
      expect((await fetch(`${sq.url}${done.images[0].download_url}`)).status).toBe(200);
      const failed = (await api(sq.url, 'GET', '/api/v1/queue/jobs/22222222-2222-4222-8222-222222222222/status')).body;
      expect(failed.status).toBe('failed');
      // A job MobileSD left running waits again (it never finished).
      const waiting = sq.engine.db.prepare('SELECT status, positive_prompt, target_server_alias FROM jobs WHERE mobilesd_job_id = ?').get('33333333-3333-4333-8333-333333333333');
      expect(waiting).toEqual({ status: 'pending', positive_prompt: 'left running', target_server_alias: 'forge-1' });
      expect((await api(sq.url, 'GET', '/api/v1/backups')).body.backups.some((b: any) => b.reason === 'pre-import')).toBe(true);
      // Once: later starts leave the history alone, even after jobs were removed.
      sq.engine.db.prepare('DELETE FROM jobs WHERE mobilesd_job_id = ?').run('22222222-2222-4222-8222-222222222222');
    } finally {
      await sq.engine.stop();
    }
    sq = await startEngineAt(tmp.dir);
    try {
      expect(sq.engine.db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(2);
      // The MobileSD file itself was only read.
      const source = new Database(path.join(tmp.dir, 'mobilesd.db'), { readonly: true });
      expect(source.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(3);
      source.close();
    } finally {
      await sq.engine.stop();
    }
  });
});
