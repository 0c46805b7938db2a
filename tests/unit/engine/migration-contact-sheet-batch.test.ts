import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/engine/db/connection.ts';
import { MIGRATIONS } from '../../../electron/engine/db/migrations/index.ts';
import { GalleryStore } from '../../../electron/engine/gallery/gallery-store.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

/** Contact sheets saved before images had a batch_id are found by their infotext and handed to their batch. */
describe('migration giving contact sheets to their batch', () => {
  const tmp = makeTempDir();
  afterEach(() => tmp.cleanup());

  it('marks old sheets with their batch, leaves other grids alone, and the job no longer lists the sheet', () => {
    const file = path.join(tmp.dir, 'old.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    const before = MIGRATIONS.findIndex((m) => m.name === 'addContactSheetBatch');
    expect(before).toBeGreaterThan(0);
    for (const step of MIGRATIONS.slice(0, before)) step(old);
    old.pragma(`user_version = ${before}`);
    old.prepare(`INSERT INTO jobs (mobilesd_job_id, status, creation_timestamp, last_updated_timestamp, target_server_alias,
      generation_params_json, position, priority) VALUES ('j1', 'completed', 't', 't', 'f1', '{}', 1, 5)`).run();
    const image = old.prepare(`INSERT INTO images (job_id, idx, file_path, mime, bytes, sha256, app_type, created_at, kind, infotext)
      VALUES ('j1', ?, ?, 'image/png', 1, 'x', 'forge', 't', ?, ?)`);
    image.run(0, 'a.png', 'result', null);
    image.run(1, 'forge-grid.png', 'grid', 'Steps: 20, Seed: 1');
    image.run(900, 'sheet.png', 'grid', JSON.stringify({ contact_sheet: { batch_id: 'b1', title: null } }));
    old.close();

    const db = openDatabase(file);
    expect(db.prepare('SELECT file_path, batch_id FROM images ORDER BY idx').all()).toEqual([
      { file_path: 'a.png', batch_id: null }, { file_path: 'forge-grid.png', batch_id: null }, { file_path: 'sheet.png', batch_id: 'b1' },
    ]);
    expect(new GalleryStore(db).forJob('j1').map((i) => i.file_path)).toEqual(['a.png', 'forge-grid.png']);
    db.close();
  });
});
