import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { PLAIN_SECRETS_FILE, SAFE_STORAGE_FILE } from '../secrets/secret-files.ts';
import { backupFileName, listBackupFiles, secretCopyName, type BackupFile, type BackupReason } from './backup-files.ts';
import { writeOnlineBackup, writeOnlineBackupStepwise } from './sqlite-backup.ts';

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
  #daily: Promise<BackupFile | null> | null = null;
  readonly #inFlight = new Set<string>();

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
    const { name, file } = this.#newName(reason);
    try {
      writeOnlineBackup(db, file);
      this.#copySecrets(name);
    } catch (error) {
      this.#failed(reason, file, error);
    }
    return this.#done(name, reason);
  }

  /** The same, copied step by step so the engine keeps answering meanwhile (the daily backup). */
  async createStepwise(reason: BackupReason): Promise<BackupFile> {
    const db = this.#db;
    if (!db) throw new BackupFailedError('the database is not open');
    const { name, file } = this.#newName(reason);
    this.#inFlight.add(name);
    try {
      await writeOnlineBackupStepwise(db, file);
      this.#copySecrets(name);
    } catch (error) {
      this.#failed(reason, file, error);
    } finally {
      this.#inFlight.delete(name);
    }
    return this.#done(name, reason);
  }

  #newName(reason: BackupReason): { name: string; file: string } {
    let at = new Date(this.#clock.now());
    // Two backups in the same millisecond (a fake clock, a fast script) get distinct names.
    const taken = (n: string) => this.#inFlight.has(n) || fs.existsSync(path.join(this.dir, n));
    while (taken(backupFileName(at, reason))) at = new Date(at.getTime() + 1);
    const name = backupFileName(at, reason);
    return { name, file: path.join(this.dir, name) };
  }

  #copySecrets(name: string): void {
    for (const live of [PLAIN_SECRETS_FILE, SAFE_STORAGE_FILE]) {
      const source = path.join(this.#dataDir, live);
      if (fs.existsSync(source)) fs.copyFileSync(source, path.join(this.dir, secretCopyName(name, live)));
    }
  }

  #failed(reason: BackupReason, file: string, error: unknown): never {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // Nothing was written where nothing can be (the backups folder is not a folder).
    }
    this.#logger.error({ err: error, reason }, 'backup failed');
    throw new BackupFailedError(`backup (${reason}) failed: ${(error as Error).message}`, { cause: error });
  }

  #done(name: string, reason: BackupReason): BackupFile {
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
  async runDailyIfDue(): Promise<BackupFile | null> {
    if (this.#daily) return null;
    const last = this.list()[0];
    if (last && this.#clock.now() - Date.parse(last.created_at) < DAY_MS) return null;
    this.#daily = this.createStepwise('daily').catch(() => null); // logged; tried again on the next tick
    try {
      return await this.#daily;
    } finally {
      this.#daily = null;
    }
  }

  /** Checks for a due daily backup now and every `intervalMs`. */
  startSchedule(intervalMs: number): void {
    void this.runDailyIfDue();
    this.#timer = setInterval(() => void this.runDailyIfDue(), intervalMs);
    this.#timer.unref();
  }

  /** Stops the schedule and waits for a daily backup still being copied (before the database closes). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#daily;
    this.#db = null;
  }
}
