import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../electron/engine/db/migrations/index.ts';
import { api } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startEngineAt } from './engine-at.ts';

describe('the backup before a schema upgrade', () => {
  const tmp = makeTempDir('sq-premigration-');
  afterAll(() => tmp.cleanup());

  it('is taken of the old schema, with its rows, before the newest migration runs', async () => {
    // A database one schema version behind this StableQueue, with a server in it.
    const old = new Database(path.join(tmp.dir, 'stablequeue.db'));
    old.pragma('journal_mode = WAL');
    for (const step of MIGRATIONS.slice(0, -1)) step(old);
    old.pragma(`user_version = ${MIGRATIONS.length - 1}`);
    old.prepare(`INSERT INTO servers (alias, app_type, api_url, created_at, updated_at) VALUES ('old-forge', 'forge', 'http://127.0.0.1:9', 'x', 'x')`).run();
    old.close();

    const sq = await startEngineAt(tmp.dir);
    try {
      const list = (await api(sq.url, 'GET', '/api/v1/backups')).body;
      const pre = list.backups.find((b: any) => b.reason === 'pre-migration');
      expect(pre).toBeTruthy();
      const copy = new Database(path.join(tmp.dir, 'backups', pre.name), { readonly: true });
      try {
        expect(copy.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length - 1);
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(copy.prepare('SELECT alias FROM servers').pluck().all()).toEqual(['old-forge']);
      } finally {
        copy.close();
      }
      expect(sq.engine.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    } finally {
      await sq.engine.stop();
    }
  });
});
