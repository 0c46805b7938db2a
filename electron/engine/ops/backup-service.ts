import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { PLAIN_SECRETS_FILE, SAFE_STORAGE_FILE } from '../secrets/secret-files.ts';
import { backupFileName, listBackupFiles, secretCopyName, type BackupFile, type BackupReason } from './backup-files.ts';
import { writeOnlineBackup } from './sqlite-backup.ts';

const DAY_MS = 24 * 60 * 60_000;

export class BackupFailedError extends Error {}

/**
 * Backups of the live database into `<data>/backups`: daily, on demand, and before
 * anything that destroys rows (migrations, clearing finished jobs, bulk deletes,
 * imports, restores). Keeps the newest `keep()` of them. The secret store's file, when
 * the secrets live in one, is copied beside each backup so a restore brings back the
 * passwords that go with its servers.
 */
export class BackupService {
  readonly dir: string;
  readonly #dataDir: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #keep: () => number;
  #db: Db | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: { dataDir: string; clock: Clock; logger: Logger; keep: () => number }) {
    this.#dataDir = deps.dataDir;
    this.dir = path.join(deps.dataDir, 'backups');
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#keep = deps.keep;
  }

  attach(db: Db): void {
    this.#db = db;
  }

  list(): BackupFile[] {
    return listBackupFiles(this.dir);
  }

  /**
   * Writes a backup now; throws BackupFailedError (with the reason, e.g. a full disk) so a
   * destructive operation that asked for it can refuse to go on without one.
   */
  create(reason: BackupReason, db: Db | null = this.#db): BackupFile {
    if (!db) throw new BackupFailedError('the database is not open');
    let at = new Date(this.#clock.now());
    // Two backups in the same millisecond (a fake clock, a fast script) get distinct names.
    while (fs.existsSync(path.join(this.dir, backupFileName(at, reason)))) at = new Date(at.getTime() + 1);
    const name = backupFileName(at, reason);
    const file = path.join(this.dir, name);
    try {
      writeOnlineBackup(db, file);
      for (const live of [PLAIN_SECRETS_FILE, SAFE_STORAGE_FILE]) {
        const source = path.join(this.#dataDir, live);
        if (fs.existsSync(source)) fs.copyFileSync(source, path.join(this.dir, secretCopyName(name, live)));
      }
    } catch (error) {
      fs.rmSync(file, { force: true });
      const message = `backup (${reason}) failed: ${(error as Error).message}`;
      this.#logger.error({ err: error, reason }, 'backup failed');
      throw new BackupFailedError(message, { cause: error });
    }
    this.#logger.info({ backup: name, reason }, 'database backed up');
    this.prune();
    return this.list().find((b) => b.name === name)!;
  }

  /** Deletes all but the newest `keep()` backups (and their secret copies). */
  prune(): string[] {
    const keep = Math.max(1, this.#keep());
    const removed: string[] = [];
    for (const old of this.list().slice(keep)) {
      for (const name of [old.name, ...old.secret_files]) fs.rmSync(path.join(this.dir, name), { force: true });
      removed.push(old.name);
    }
    return removed;
  }

  /**
   * Writes the daily backup when the newest backup of any kind is a day old (by the
   * injected clock). Any backup counts: with few kept, old daily ones are pruned first, and
   * a recent pre-clear or manual backup already holds today's data.
   */
  runDailyIfDue(): BackupFile | null {
    const last = this.list()[0];
    if (last && this.#clock.now() - Date.parse(last.created_at) < DAY_MS) return null;
    try {
      return this.create('daily');
    } catch {
      return null; // logged; tried again on the next tick
    }
  }

  /** Checks for a due daily backup now and every `intervalMs`. */
  startSchedule(intervalMs: number): void {
    this.runDailyIfDue();
    this.#timer = setInterval(() => this.runDailyIfDue(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#db = null;
  }
}
