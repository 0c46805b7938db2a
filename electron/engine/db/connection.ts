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
    // Read speed for a large gallery: the default 2 MB page cache holds a small part of
    // the indexes a 100,000-image gallery pages and counts over; memory-mapped reads skip
    // a copy per page; sorts and IN-lists of a search stay in memory.
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
    db.pragma('temp_store = MEMORY');
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
