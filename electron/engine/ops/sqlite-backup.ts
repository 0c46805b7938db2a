import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/connection.ts';
import { renameDurably } from './durable-rename.ts';

/**
 * An online, consistent copy of the live database: `VACUUM INTO` reads one snapshot
 * inside SQLite (no torn copy of a file that is being written, WAL contents included)
 * and writes a compact file. It goes to a temp name first and is renamed when complete,
 * so a full disk or a crash never leaves a half backup under a real name.
 */
export function writeOnlineBackup(db: Db, file: string): void {
  const tmp = startBackupFile(file);
  try {
    db.prepare('VACUUM INTO ?').run(tmp);
    finishBackupFile(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * The same copy through SQLite's online backup API, 64 pages (256 KiB) per step with the
 * event loop free in between: for backups taken while jobs run (the daily one), which must
 * not stall progress polling or the API on a large database the way one VACUUM INTO would.
 */
export async function writeOnlineBackupStepwise(db: Db, file: string): Promise<void> {
  const tmp = startBackupFile(file);
  try {
    await db.backup(tmp, { progress: () => 64 });
    finishBackupFile(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

function startBackupFile(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  fs.rmSync(tmp, { force: true });
  return tmp;
}

function finishBackupFile(tmp: string, file: string): void {
  // A self-contained file: opening a backup later must not need -wal/-shm companions.
  const copy = new Database(tmp);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  renameDurably(tmp, file);
}

/**
 * SQLite's own integrity check of a database file, read-only: 'ok' or the first problems
 * it reports (or why the file could not be opened at all, e.g. "file is not a database").
 */
export function checkDatabaseFile(file: string, mode: 'quick' | 'full' = 'full'): string {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return checkOpenDatabase(db, mode);
  } catch (error) {
    return (error as Error).message;
  } finally {
    db?.close();
  }
}

export function checkOpenDatabase(db: Db, mode: 'quick' | 'full' = 'full'): string {
  const rows = db.prepare(mode === 'quick' ? 'PRAGMA quick_check(20)' : 'PRAGMA integrity_check(20)').pluck().all() as string[];
  return rows.length === 1 && rows[0] === 'ok' ? 'ok' : rows.join('; ');
}
