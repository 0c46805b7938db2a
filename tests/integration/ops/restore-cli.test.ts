import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startEngineAt } from './engine-at.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const runRestore = (dataDir: string, args: string[], input = '') =>
  spawnSync(process.execPath, ['electron/restore.ts', ...args], {
    cwd: root, input, encoding: 'utf8', env: { ...process.env, STABLEQUEUE_DATA_DIR: dataDir }, timeout: 60_000,
  });

describe('npm run restore', () => {
  const tmp = makeTempDir('sq-restore-cli-');
  afterAll(() => tmp.cleanup());

  it('asks first; with "restore" typed, the backup is back after the next start and the replaced database was backed up', async () => {
    let sq = await startEngineAt(tmp.dir);
    // The headless secret store's file: copied beside each backup.
    const secretsFile = path.join(tmp.dir, 'secrets.json');
    fs.writeFileSync(secretsFile, JSON.stringify({ 'server-password:old': 'pw-old' }));
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { default_priority: 3 })).status).toBe(200);
    const made = (await api(sq.url, 'POST', '/api/v1/backups')).body;
    expect(made.secret_files).toEqual([made.name.replace(/\.db$/, '.secrets.json')]);
    const backup = made.name as string;
    fs.writeFileSync(secretsFile, JSON.stringify({ 'civitai-token': 'tok-new' }));
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { default_priority: 9 })).status).toBe(200);
    await sq.engine.stop();

    const refused = runRestore(tmp.dir, [backup], 'no\n');
    expect(refused.status, refused.stderr).toBe(1);
    expect(refused.stdout).toContain('Nothing changed.');

    const unknown = runRestore(tmp.dir, ['stablequeue-missing.db', '--yes']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/No backup named "stablequeue-missing.db"/);

    const done = runRestore(tmp.dir, [backup], 'restore\n');
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toContain(`Restore:     ${backup}`);
    expect(done.stdout).toMatch(/restored when StableQueue starts next/);

    sq = await startEngineAt(tmp.dir);
    try {
      expect((await api(sq.url, 'GET', '/api/v1/settings')).body.default_priority).toBe(3);
      // Secrets the backup had come back; ones set since are kept.
      expect(JSON.parse(fs.readFileSync(secretsFile, 'utf8'))).toEqual({ 'server-password:old': 'pw-old', 'civitai-token': 'tok-new' });
      const list = (await api(sq.url, 'GET', '/api/v1/backups')).body.backups;
      const preRestore = list.find((b: any) => b.reason === 'pre-restore');
      const db = new Database(path.join(tmp.dir, 'backups', preRestore.name), { readonly: true });
      expect(JSON.parse(db.prepare("SELECT value_json FROM settings WHERE key = 'default_priority'").pluck().get() as string)).toBe(9);
      db.close();
    } finally {
      await sq.engine.stop();
    }
  });
});
