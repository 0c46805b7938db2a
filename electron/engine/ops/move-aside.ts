import fs from 'node:fs';
import { renameDurably } from './durable-rename.ts';

const COMPANIONS = ['', '-wal', '-shm'];

/**
 * Moves a damaged database (and its -wal/-shm companions) to `<file>.corrupt-<time>`:
 * never deleted, so what it still holds can be read back later. Returns the new name.
 */
export function moveDatabaseAside(file: string, at: Date, label = 'corrupt'): string {
  const target = `${file}.${label}-${at.toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of COMPANIONS) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
  }
  return target;
}

/** Puts a backup in place of the live database file (which must be closed and moved away). */
export function installDatabaseFile(source: string, file: string): void {
  for (const suffix of COMPANIONS.slice(1)) fs.rmSync(file + suffix, { force: true });
  const tmp = `${file}.restoring`;
  fs.copyFileSync(source, tmp);
  renameDurably(tmp, file);
}
