import fs from 'node:fs';
import path from 'node:path';

/**
 * Names and listing of the backups in `<data>/backups`. A backup is one SQLite file named
 * after its time and reason (`stablequeue-2026-01-01T03-00-00-000Z-daily.db`), plus, when
 * the secret store keeps a file, that file's copy beside it (`….secrets.json` /
 * `….secrets.safestorage.json`). The name alone tells when and why, so listing needs no
 * database and still works when the live one is damaged.
 */

export const BACKUP_REASONS = ['daily', 'manual', 'pre-migration', 'pre-clear', 'pre-delete', 'pre-import', 'pre-restore'] as const;
export type BackupReason = (typeof BACKUP_REASONS)[number];

export interface BackupFile {
  /** File name inside the backups folder; what the API and the CLI take. */
  name: string;
  file: string;
  created_at: string;
  reason: BackupReason;
  bytes: number;
  /** Copies of the secret store's files taken with this backup. */
  secret_files: string[];
}

const NAME = /^stablequeue-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)-([a-z-]+)\.db$/;

export function backupFileName(at: Date, reason: BackupReason): string {
  return `stablequeue-${at.toISOString().replace(/[:.]/g, '-')}-${reason}.db`;
}

/** The secret-store file names a backup may carry, keyed by the live file they copy. */
export function secretCopyName(backupName: string, liveSecretFile: string): string {
  return `${backupName.replace(/\.db$/, '')}.${path.basename(liveSecretFile)}`;
}

export function parseBackupName(name: string): { created_at: string; reason: BackupReason } | null {
  const match = NAME.exec(name);
  if (!match || !(BACKUP_REASONS as readonly string[]).includes(match[2])) return null;
  const [date, time] = match[1].split('T');
  const iso = `${date}T${time.replace(/^(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, '$1:$2:$3.$4Z')}`;
  if (Number.isNaN(Date.parse(iso))) return null;
  return { created_at: iso, reason: match[2] as BackupReason };
}

/** The backups in `dir`, newest first. */
export function listBackupFiles(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupFile[] = [];
  for (const name of names) {
    const parsed = parseBackupName(name);
    if (!parsed) continue;
    const file = path.join(dir, name);
    const stem = name.replace(/\.db$/, '');
    out.push({
      name, file, ...parsed,
      bytes: fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0,
      secret_files: names.filter((n) => n.startsWith(`${stem}.secrets`)),
    });
  }
  return out.sort((a, b) => b.created_at.localeCompare(a.created_at) || b.name.localeCompare(a.name));
}

/** Resolves a name taken from a request or the command line to a backup in `dir`, or null. */
export function findBackup(dir: string, nameOrPath: string): BackupFile | null {
  const name = path.basename(nameOrPath);
  return listBackupFiles(dir).find((b) => b.name === name) ?? null;
}
