import type { RecoveryReport } from '../../../shared/ops.ts';
import type { BackupReason } from './backup-files.ts';
import { BackupFailedError, type BackupService } from './backup-service.ts';
import type { DiskGuard } from './disk-guard.ts';
import { isDiskFullError } from './disk-space.ts';
import type { EngineMetrics } from './engine-metrics.ts';
import type { RecentLogs } from './recent-logs.ts';

/** The engine's operations parts, as routes and modules see them. */
export interface OpsServices {
  backups: BackupService;
  disk: DiskGuard;
  metrics: EngineMetrics;
  /** The last log lines, when the host tees its logger into one (diagnostics). */
  recentLogs: RecentLogs | null;
  /** What start-up recovery did this run, if anything. */
  recovery: RecoveryReport | null;
}

/** Why an operation that needs a backup first did not run. */
export class BackupRequiredError extends Error {
  readonly diskFull: boolean;
  constructor(reason: BackupReason, cause: BackupFailedError) {
    const diskFull = isDiskFullError(cause.cause);
    super(`Nothing was changed: the backup taken before this (${reason}) failed${diskFull ? ' because the disk is full' : ''}. ${cause.message}`);
    this.diskFull = diskFull;
  }
}

/**
 * Takes the backup a destructive operation needs before it runs; when that fails (a full
 * disk), the operation must not go on, so this throws BackupRequiredError.
 */
export function backupBefore(ops: Pick<OpsServices, 'backups'>, reason: BackupReason): void {
  try {
    ops.backups.create(reason);
  } catch (error) {
    if (error instanceof BackupFailedError) throw new BackupRequiredError(reason, error);
    throw error;
  }
}
