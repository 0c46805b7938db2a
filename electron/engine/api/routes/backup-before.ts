import { backupBefore, BackupRequiredError } from '../../ops/ops-services.ts';
import type { BackupReason } from '../../ops/backup-files.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

/** For routes that destroy rows: the backup first, or a clear 507/503 and nothing changed. */
export function backupBeforeOrRefuse(ctx: ApiContext, reason: BackupReason): void {
  try {
    backupBefore(ctx.ops, reason);
  } catch (error) {
    if (!(error instanceof BackupRequiredError)) throw error;
    throw new ApiError(error.diskFull ? 507 : 503, error.diskFull ? 'disk_full' : 'backup_failed', error.message);
  }
}
