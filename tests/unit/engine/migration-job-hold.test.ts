import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/engine/db/connection.ts';
import { MIGRATIONS } from '../../../electron/engine/db/migrations/index.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

/** The step that adds held jobs rebuilds `jobs`: nothing that points at a job may be lost. */
describe('migration to held jobs and not_before', () => {
  const tmp = makeTempDir();
  afterEach(() => tmp.cleanup());

  it('keeps every job, its images and the status trigger, and enforces foreign keys again after', () => {
    const file = path.join(tmp.dir, 'old.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.pragma('foreign_keys = ON');
    const before = MIGRATIONS.findIndex((m) => m.name === 'addJobHoldSchedule');
    expect(before).toBeGreaterThan(0);
    for (const step of MIGRATIONS.slice(0, before)) step(old);
    old.pragma(`user_version = ${before}`);
    old.prepare(`INSERT INTO jobs (mobilesd_job_id, status, creation_timestamp, last_updated_timestamp, target_server_alias,
      generation_params_json, position, priority, edit_history_json) VALUES ('j1', 'processing', 't', 't', 'f1', '{"steps":3}', 7.5, 8, '[]')`).run();
    old.prepare(`INSERT INTO images (job_id, idx, file_path, mime, bytes, sha256, app_type, created_at)
      VALUES ('j1', 0, 'a.png', 'image/png', 1, 'x', 'forge', 't')`).run();
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare(`SELECT status, position, priority, not_before, edit_history_json FROM jobs`).get())
      .toEqual({ status: 'processing', position: 7.5, priority: 8, not_before: 0, edit_history_json: '[]' });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM images WHERE job_id = 'j1'`).get()).toEqual({ n: 1 });
    const names = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_schema WHERE tbl_name = 'jobs' AND sql IS NOT NULL`).all().map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['jobs', 'jobs_claim', 'jobs_finished', 'jobs_position', 'jobs_wake', 'jobs_counts', 'jobs_api_key', 'jobs_not_before', 'jobs_notify_status']));
    db.prepare(`UPDATE jobs SET status = 'held'`).run();
    expect(() => db.prepare(`UPDATE jobs SET status = 'parked'`).run()).toThrow(/CHECK/);
    db.prepare(`UPDATE jobs SET status = 'failed'`).run();
    expect(db.prepare(`SELECT type FROM notify_events`).all()).toContainEqual({ type: 'job.failed' });
    expect(() => db.prepare(`INSERT INTO images (job_id, idx, file_path, mime, bytes, sha256, app_type, created_at)
      VALUES ('nobody', 0, 'b.png', 'image/png', 1, 'x', 'forge', 't')`).run()).toThrow(/FOREIGN KEY/);
    db.prepare(`DELETE FROM jobs`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM images`).get()).toEqual({ n: 0 });
    db.close();
  });
});
