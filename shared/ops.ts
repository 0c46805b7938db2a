import Type from 'typebox';

/** Operations: backups, start-up recovery, disk space, health. Shared by the engine and the UI. */

export const BackupSchema = Type.Object({
  name: Type.String({ description: 'file name in <data>/backups; what restore takes' }),
  created_at: Type.String(),
  reason: Type.String({ description: 'daily, manual, pre-migration, pre-clear, pre-delete, pre-import, pre-restore' }),
  bytes: Type.Integer(),
  secret_files: Type.Array(Type.String()),
});
export type BackupView = Type.Static<typeof BackupSchema>;

export const BackupListSchema = Type.Object({
  dir: Type.String(),
  keep: Type.Integer(),
  backups: Type.Array(BackupSchema),
  /** A restore asked for from the UI waits for the next start. */
  pending_restore: Type.Union([Type.String(), Type.Null()]),
});
export type BackupList = Type.Static<typeof BackupListSchema>;

/** What start-up recovery did, kept until the next start so the UI and the log can say it. */
export const RecoveryReportSchema = Type.Object({
  kind: Type.Union([Type.Literal('restored_from_backup'), Type.Literal('fresh_database'), Type.Literal('restore_requested')]),
  at: Type.String(),
  problem: Type.String({ description: 'what was wrong, e.g. the integrity check result' }),
  moved_aside: Type.Union([Type.String(), Type.Null()]),
  backup: Type.Union([Type.String(), Type.Null()]),
  backup_created_at: Type.Union([Type.String(), Type.Null()]),
  salvaged: Type.Array(Type.String(), { description: 'tables read back from the damaged file' }),
  images_reimported: Type.Integer(),
  message: Type.String({ description: 'what happened and what may be missing, for people' }),
});
export type RecoveryReport = Type.Static<typeof RecoveryReportSchema>;

export const DiskStatusSchema = Type.Object({
  label: Type.String({ description: 'outputs, data, models' }),
  path: Type.String(),
  free_bytes: Type.Union([Type.Integer(), Type.Null()]),
  total_bytes: Type.Union([Type.Integer(), Type.Null()]),
  low: Type.Boolean({ description: 'free space under the low-disk warning threshold' }),
});
export type DiskStatus = Type.Static<typeof DiskStatusSchema>;

export const OpsStatusSchema = Type.Object({
  disks: Type.Array(DiskStatusSchema),
  low_disk_warning_mb: Type.Integer(),
  /** Set while the queue waits for disk space ("disk full at /outputs: 12 MB free"). */
  disk_full: Type.Union([Type.String(), Type.Null()]),
  recovery: Type.Union([RecoveryReportSchema, Type.Null()]),
});
export type OpsStatus = Type.Static<typeof OpsStatusSchema>;
