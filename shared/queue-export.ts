import Type from 'typebox';
import { BatchModeSchema, ExpandedAxisSchema } from './batches.ts';
import { JobMetadataSchema, JobModeSchema, JobStatusSchema } from './jobs.ts';
import { AppTypeSchema } from './servers.ts';

/** What an export file says it is; an import refuses anything else. */
export const QUEUE_EXPORT_FORMAT = 'stablequeue.queue';
/** The newest file version this StableQueue writes and reads. Older ones it reads too. */
export const QUEUE_EXPORT_VERSION = 1;
/** At most this many jobs in one file. */
export const QUEUE_EXPORT_MAX_JOBS = 20_000;

/** One job as exported: what it takes to queue it again, not its run (attempts, results). */
export const ExportedJobSchema = Type.Object({
  mobilesd_job_id: Type.String({ description: 'its id where it was exported; the import gives it a new one' }),
  status: JobStatusSchema,
  app_type: AppTypeSchema,
  mode: JobModeSchema,
  priority: Type.Integer(),
  target_server_alias: Type.String(),
  generation_params: Type.Record(Type.String(), Type.Unknown()),
  source_info: Type.Union([Type.String(), Type.Null()]),
  metadata: JobMetadataSchema,
  not_before: Type.Union([Type.String(), Type.Null()]),
  creation_timestamp: Type.String(),
  /** The batch the job belongs to, when batches exist in this StableQueue (null: none). */
  batch_id: Type.Union([Type.String(), Type.Null()]),
  /** The job's cell in its batch's grid (where the contact sheet shows it); absent in files from before batches were exported. */
  batch_index: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
});
export type ExportedJob = Type.Static<typeof ExportedJobSchema>;

/** A batch some exported jobs belong to: what it takes to group them again and draw their contact sheet. */
export const ExportedBatchSchema = Type.Object({
  batch_id: Type.String({ minLength: 1, maxLength: 128, description: 'its id where it was exported; the import gives it a new one' }),
  name: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  created_at: Type.String({ maxLength: 64 }),
  mode: BatchModeSchema,
  axes: Type.Array(ExpandedAxisSchema, { maxItems: 8 }),
  /** How many jobs the batch was made with (its grid), not only the ones in the file. */
  job_count: Type.Integer({ minimum: 1 }),
  /** The request the batch was made from, as it was sent. */
  request: Type.Unknown(),
});
export type ExportedBatch = Type.Static<typeof ExportedBatchSchema>;

/**
 * GET /api/v1/queue/export: the waiting jobs (pending and held) in dispatch order, then,
 * when asked, the finished ones. POST /api/v1/queue/import takes the same document.
 */
export const QueueExportSchema = Type.Object({
  format: Type.Literal(QUEUE_EXPORT_FORMAT),
  version: Type.Integer(),
  exported_at: Type.String(),
  stablequeue_version: Type.String(),
  jobs: Type.Array(ExportedJobSchema),
  /** The batches the jobs name in batch_id (absent in files from before batches were exported). */
  batches: Type.Optional(Type.Array(ExportedBatchSchema)),
});
export type QueueExport = Type.Static<typeof QueueExportSchema>;

/** The answer to POST /api/v1/queue/import: the new ids in the file's order, and what was not queued again. */
export const QueueImportResponseSchema = Type.Object({
  imported: Type.Integer(),
  /** The batches made again for the imported jobs that belonged to one, by their id in the file. */
  batch_ids: Type.Record(Type.String(), Type.String(), { description: 'exported batch id → the new batch id' }),
  mobilesd_job_ids: Type.Array(Type.String()),
  skipped: Type.Record(Type.String(), Type.Integer({ description: 'finished: jobs that had already run (exported for the record, not queued again)' })),
});
export type QueueImportResponse = Type.Static<typeof QueueImportResponseSchema>;
