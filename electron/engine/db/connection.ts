import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';

export type Db = Database.Database;

export interface OpenOptions {
  /** Runs before migrations change an existing database (e.g. to back it up first). */
  beforeMigrate?: (db: Db, fromVersion: number) => void;
}

/**
 * Opens the StableQueue database with the settings durability depends on, checked
 * every time: better-sqlite3 reopens WAL databases at synchronous=NORMAL, so FULL is
 * set and read back on every open.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5000 });
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (file !== ':memory:' && mode !== 'wal') throw new Error(`journal_mode is ${mode}, expected wal`);
    db.pragma('synchronous = FULL');
    const sync = db.pragma('synchronous', { simple: true });
    if (sync !== 2) throw new Error(`synchronous is ${sync}, expected 2 (FULL)`);
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`database quick_check failed: ${check}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > 0 && version < MIGRATIONS.length) options.beforeMigrate?.(db, version);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
