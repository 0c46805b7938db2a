import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { RecoveryReport } from '../../../shared/ops.ts';
import type { Clock } from '../clock.ts';
import { openDatabase, type Db } from '../db/connection.ts';
import type { BackupService } from './backup-service.ts';
import { installDatabaseFile, moveDatabaseAside } from './move-aside.ts';
import { readPendingRestore, restoreIntoPlace } from './restore-database.ts';
import { salvageTables } from './salvage-tables.ts';
import { checkDatabaseFile } from './sqlite-backup.ts';

export interface OpenedDatabase {
  db: Db;
  /** Set when the start did more than open the file: the UI and the log say it. */
  recovery: RecoveryReport | null;
}

/** SQLite's answers that mean the file itself is damaged (not locked, not missing). */
const DAMAGED = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

/**
 * Opens the live database at start-up, and never refuses to start because it is damaged:
 *   - a restore asked for from the UI is applied first (after a pre-restore backup);
 *   - a file that fails SQLite's check (or that SQLite calls corrupt while opening) is moved
 *     aside, never deleted, and the newest backup that passes a full integrity check takes
 *     its place;
 *   - with no good backup, a fresh database starts, with the servers, settings and API keys
 *     read back from the damaged file where its pages allow.
 * Migrations run with a backup taken just before them.
 */
export function openDatabaseWithRecovery(deps: { file: string; backups: BackupService; clock: Clock; logger: Logger }): OpenedDatabase {
  const { file, backups, clock, logger } = deps;
  const dataDir = path.dirname(file);
  const open = () => openDatabase(file, { beforeMigrate: (db) => { backups.create('pre-migration', db); } });
  const now = () => new Date(clock.now());

  let recovery: RecoveryReport | null = null;
  const pending = readPendingRestore(dataDir, backups);
  if (pending) {
    restoreIntoPlace({ dataDir, file, backup: pending, backups });
    recovery = report({
      kind: 'restore_requested', at: now().toISOString(), problem: 'a restore was requested', moved_aside: null,
      backup: pending.name, backup_created_at: pending.created_at, salvaged: [],
    });
    logger.warn({ backup: pending.name }, 'database restored from a backup as requested');
  }

  const problem = fs.existsSync(file) ? checkDatabaseFile(file, 'quick') : 'ok';
  if (problem === 'ok') {
    try {
      return { db: open(), recovery };
    } catch (error) {
      if (!DAMAGED.has((error as { code?: string }).code ?? '') && !/quick_check failed/.test((error as Error).message)) throw error;
      return recover((error as Error).message);
    }
  }
  return recover(problem);

  function recover(what: string): OpenedDatabase {
    const movedAside = moveDatabaseAside(file, now());
    logger.error({ problem: what, movedAside }, 'the database is damaged; it was moved aside');
    for (const backup of backups.list()) {
      const check = checkDatabaseFile(backup.file, 'full');
      if (check !== 'ok') {
        logger.warn({ backup: backup.name, check }, 'backup fails its integrity check; trying an older one');
        continue;
      }
      installDatabaseFile(backup.file, file);
      const db = open();
      const restored = report({
        kind: 'restored_from_backup', at: now().toISOString(), problem: what, moved_aside: movedAside,
        backup: backup.name, backup_created_at: backup.created_at, salvaged: [],
      });
      logger.error({ recovery: restored }, restored.message);
      return { db, recovery: restored };
    }
    const db = open();
    const salvaged = salvageTables(movedAside, db);
    const fresh = report({
      kind: 'fresh_database', at: now().toISOString(), problem: what, moved_aside: movedAside, backup: null,
      backup_created_at: null, salvaged,
    });
    logger.error({ recovery: fresh }, fresh.message);
    return { db, recovery: fresh };
  }
}

/** Fills in the sentence for people; call again after the gallery was rebuilt to count its images. */
export function report(fields: Omit<RecoveryReport, 'message' | 'images_reimported'> & { images_reimported?: number }): RecoveryReport {
  const images = fields.images_reimported ?? 0;
  const back = images > 0 ? ` ${images} image${images === 1 ? '' : 's'} found on disk were put back into the gallery.` : '';
  const messages: Record<RecoveryReport['kind'], string> = {
    restore_requested: `The database was restored from the backup of ${fields.backup_created_at} (${fields.backup}), as requested. `
      + `Jobs, servers, settings and API keys changed after that time are not in it.${back}`,
    restored_from_backup: `The database was damaged (${fields.problem}). It was moved to ${fields.moved_aside} and the backup of `
      + `${fields.backup_created_at} (${fields.backup}) was restored. Jobs, servers, settings and API keys changed after that time `
      + `may be missing.${back}`,
    fresh_database: `The database was damaged (${fields.problem}) and no good backup existed. It was moved to ${fields.moved_aside} and `
      + `StableQueue started with a new database. Read back from the damaged file: ${fields.salvaged.length ? fields.salvaged.join(', ') : 'nothing'}. `
      + `The queue and job history are lost, except what the gallery rebuild found.${back}`,
  };
  return { ...fields, images_reimported: images, message: messages[fields.kind] };
}
