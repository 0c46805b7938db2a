import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { BackupListSchema, BackupSchema, type BackupView } from '../../../../shared/ops.ts';
import type { BackupFile } from '../../ops/backup-files.ts';
import { BackupFailedError } from '../../ops/backup-service.ts';
import { isDiskFullError } from '../../ops/disk-space.ts';
import { cancelRestoreRequest, pendingRestoreName, requestRestore, RestoreError } from '../../ops/restore-database.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

const view = (b: BackupFile): BackupView => ({ name: b.name, created_at: b.created_at, reason: b.reason, bytes: b.bytes, secret_files: b.secret_files });
const RestoreRequest = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
const RestoreAnswer = Type.Object({ backup: BackupSchema, restart_required: Type.Boolean(), message: Type.String() });

/** Database backups: list, take one now, and ask for a restore (applied at the next start). Admin only. */
export function registerBackupRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { backups } = ctx.ops;

  app.get('/api/v1/backups', { config: { permission: 'admin' }, schema: { tags: ['operations'], response: { 200: BackupListSchema } } }, async () => ({
    dir: backups.dir,
    keep: ctx.settings.get('backup_keep'),
    backups: backups.list().map(view),
    pending_restore: pendingRestoreName(ctx.config.dataDir),
  }));

  app.post('/api/v1/backups', { config: { permission: 'admin' }, schema: { tags: ['operations'], response: { 201: BackupSchema, 507: ApiErrorSchema, 503: ApiErrorSchema } } }, async (_request, reply) => {
    try {
      return reply.code(201).send(view(backups.create('manual')));
    } catch (error) {
      if (!(error instanceof BackupFailedError)) throw error;
      throw isDiskFullError(error.cause)
        ? new ApiError(507, 'disk_full', `${error.message}. Free some space in ${ctx.config.dataDir} and try again.`)
        : new ApiError(503, 'backup_failed', error.message);
    }
  });

  app.post<{ Body: { name: string } }>('/api/v1/backups/restore', {
    config: { permission: 'admin' },
    schema: { tags: ['operations'], body: RestoreRequest, response: { 202: RestoreAnswer, 404: ApiErrorSchema, 409: ApiErrorSchema } },
  }, async (request, reply) => {
    try {
      const backup = requestRestore(ctx.config.dataDir, backups, request.body.name);
      ctx.logger.warn({ backup: backup.name }, 'restore requested; it is applied at the next start');
      return reply.code(202).send({
        backup: view(backup), restart_required: true,
        message: `Restart StableQueue to restore the backup of ${backup.created_at}. The current database is backed up first.`,
      });
    } catch (error) {
      if (!(error instanceof RestoreError)) throw error;
      throw new ApiError(/No backup named/.test(error.message) ? 404 : 409, 'restore_refused', error.message);
    }
  });

  app.delete('/api/v1/backups/restore', {
    config: { permission: 'admin' },
    schema: { tags: ['operations'], response: { 200: Type.Object({ pending_restore: Type.Null() }) } },
  }, async () => {
    cancelRestoreRequest(ctx.config.dataDir);
    return { pending_restore: null };
  });
}
