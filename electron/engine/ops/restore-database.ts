import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { PLAIN_SECRETS_FILE, SAFE_STORAGE_FILE } from '../secrets/secret-files.ts';
import { backupFileName, findBackup, secretCopyName, type BackupFile } from './backup-files.ts';
import type { BackupService } from './backup-service.ts';
import { installDatabaseFile } from './move-aside.ts';
import { checkDatabaseFile } from './sqlite-backup.ts';

/**
 * Restoring a backup replaces the live database file, which is only safe while nothing has
 * it open: a restore asked for while StableQueue runs is written down here and applied at
 * the next start, before the database opens; the command line (`npm run restore`) applies
 * it directly while StableQueue is stopped.
 */
const PENDING_FILE = 'restore-pending.json';

export class RestoreError extends Error {}

/**
 * For the command line: the backup a user names, either one in the backups folder (by name)
 * or a database file anywhere else, which is first copied in as a manual backup so the
 * restore goes through the same path. Throws RestoreError when neither fits.
 */
export function resolveBackupArgument(backups: BackupService, argument: string, now: Date): BackupFile {
  const inFolder = findBackup(backups.dir, argument);
  if (inFolder && (path.resolve(argument) === inFolder.file || !argument.includes(path.sep))) return inFolder;
  const file = path.resolve(argument);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new RestoreError(`No backup named "${argument}" in ${backups.dir}, and no such file.`);
  }
  const check = checkDatabaseFile(file, 'full');
  if (check !== 'ok') throw new RestoreError(`${file} is not a usable StableQueue database (${check}).`);
  fs.mkdirSync(backups.dir, { recursive: true });
  const copy = path.join(backups.dir, backupFileName(now, 'manual'));
  fs.copyFileSync(file, copy);
  return findBackup(backups.dir, copy)!;
}

export function requestRestore(dataDir: string, backups: BackupService, name: string): BackupFile {
  const backup = findBackup(backups.dir, name);
  if (!backup) throw new RestoreError(`No backup named "${name}" in ${backups.dir}.`);
  const check = checkDatabaseFile(backup.file, 'full');
  if (check !== 'ok') throw new RestoreError(`The backup ${backup.name} fails its integrity check (${check}); pick another one.`);
  fs.writeFileSync(path.join(dataDir, PENDING_FILE), JSON.stringify({ backup: backup.name }));
  return backup;
}

export function cancelRestoreRequest(dataDir: string): void {
  fs.rmSync(path.join(dataDir, PENDING_FILE), { force: true });
}

export function pendingRestoreName(dataDir: string): string | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dataDir, PENDING_FILE), 'utf8')) as { backup?: unknown };
    return typeof parsed.backup === 'string' ? parsed.backup : null;
  } catch {
    return null;
  }
}

/** The requested backup, once; the request is dropped whether or not the backup still exists. */
export function readPendingRestore(dataDir: string, backups: BackupService): BackupFile | null {
  const name = pendingRestoreName(dataDir);
  if (name === null) return null;
  cancelRestoreRequest(dataDir);
  return findBackup(backups.dir, name);
}

/**
 * Puts `backup` in place of the (closed) live database. The current database is backed up
 * first (`pre-restore`) when it can still be read, so a restore can itself be undone.
 * Secrets the backup's copy holds and the live store has lost are added back; secrets
 * set since then are kept.
 */
export function restoreIntoPlace(deps: { dataDir: string; file: string; backup: BackupFile; backups: BackupService }): void {
  const { dataDir, file, backup, backups } = deps;
  if (fs.existsSync(file) && checkDatabaseFile(file, 'quick') === 'ok') {
    const current = new Database(file);
    try {
      backups.create('pre-restore', current);
    } finally {
      current.close();
    }
  }
  installDatabaseFile(backup.file, file);
  for (const live of [PLAIN_SECRETS_FILE, SAFE_STORAGE_FILE]) {
    const copy = path.join(backups.dir, secretCopyName(backup.name, live));
    if (fs.existsSync(copy)) mergeSecrets(copy, path.join(dataDir, live));
  }
}

function mergeSecrets(copy: string, live: string): void {
  const read = (f: string): Record<string, string> => {
    try {
      return JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  const merged = { ...read(copy), ...read(live) };
  const tmp = `${live}.restoring`;
  fs.writeFileSync(tmp, JSON.stringify(merged), { mode: 0o600 });
  fs.renameSync(tmp, live);
}
