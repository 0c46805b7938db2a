import { Compile } from 'typebox/compile';
import { FINISHED_STATUSES, GenerateRequestSchema, type GenerateRequest } from '../../../shared/jobs.ts';
import {
  ExportedBatchSchema, ExportedJobSchema, QUEUE_EXPORT_FORMAT, QUEUE_EXPORT_MAX_JOBS, QUEUE_EXPORT_VERSION,
  type ExportedBatch, type ExportedJob, type QueueExport, type QueueImportResponse,
} from '../../../shared/queue-export.ts';
import { isoAt, type Clock } from '../clock.ts';
import { DomainError } from '../domain-error.ts';
import { VERSION } from '../version.ts';
import type { JobRow } from './job-row.ts';
import { notBeforeOf } from './job-view.ts';

/** An import file that is not one this StableQueue can read, or a job in it that would not be accepted as new. */
export class QueueImportError extends DomainError {}

const checkExportedJob = Compile(ExportedJobSchema);
const checkExportedBatch = Compile(ExportedBatchSchema);
const checkRequest = Compile(GenerateRequestSchema);

/**
 * How batches travel with an export (given by the batches module, which owns them): read
 * the batches exported jobs name, and store one again under a new id while an import's
 * transaction is open.
 */
export interface BatchTransfer {
  exported(ids: readonly string[]): ExportedBatch[];
  restore(batch: ExportedBatch, owner: { apiKeyId: string | null; targetServerAlias: string }): string;
}

/** One imported job's place in a batch of the file: the batch's id there and the job's cell. */
export interface ImportedBatchCell {
  fileBatchId: string;
  index: number | null;
}

/** One stored job as the export writes it, with its batch and cell when it belongs to one. */
export function exportedJob(row: JobRow): ExportedJob {
  return {
    mobilesd_job_id: row.mobilesd_job_id,
    status: row.status,
    app_type: row.app_type,
    mode: row.mode,
    priority: row.priority,
    target_server_alias: row.target_server_alias,
    generation_params: JSON.parse(row.generation_params_json) as Record<string, unknown>,
    source_info: row.source_info,
    metadata: row.metadata_json ? JSON.parse(row.metadata_json) as Record<string, unknown> : null,
    not_before: notBeforeOf(row),
    creation_timestamp: row.creation_timestamp,
    batch_id: row.batch_id,
    batch_index: row.batch_index,
  };
}

/** The export document: waiting jobs in dispatch order, then the finished ones when asked for, and the batches they name. */
export function queueExport(rows: { waiting: JobRow[]; finished: JobRow[] }, clock: Clock, batches: BatchTransfer | null): QueueExport {
  const jobs = [...rows.waiting, ...rows.finished].map(exportedJob);
  const batchIds = [...new Set(jobs.flatMap((j) => (j.batch_id ? [j.batch_id] : [])))];
  return {
    format: QUEUE_EXPORT_FORMAT,
    version: QUEUE_EXPORT_VERSION,
    exported_at: isoAt(clock),
    stablequeue_version: VERSION,
    jobs,
    batches: batches && batchIds.length ? batches.exported(batchIds) : [],
  };
}

/** The file's batches by their id there; a malformed one refuses the file. */
function fileBatches(doc: Record<string, unknown>): Map<string, ExportedBatch> {
  if (doc.batches === undefined) return new Map();
  if (!Array.isArray(doc.batches)) throw new QueueImportError(400, 'invalid_export_batch', 'The export\'s "batches" is not a list. Nothing was imported.');
  const byId = new Map<string, ExportedBatch>();
  doc.batches.forEach((batch: unknown, index) => {
    if (!checkExportedBatch.Check(batch)) {
      const first = [...checkExportedBatch.Errors(batch)][0];
      throw new QueueImportError(400, 'invalid_export_batch', `Batch ${index + 1} of the file is not a valid exported batch: ${first?.instancePath || '(batch)'} ${first?.message ?? ''}. Nothing was imported.`.replace(/\s+\./, '.'));
    }
    byId.set(batch.batch_id, batch);
  });
  return byId;
}

/** Why a document is not an export this StableQueue reads, or null when it is. */
function formatProblem(doc: Record<string, unknown>): string | null {
  if (doc.format !== QUEUE_EXPORT_FORMAT) {
    return `This is not a StableQueue queue export (its "format" is ${JSON.stringify(doc.format ?? null)}, expected "${QUEUE_EXPORT_FORMAT}"). Export the queue from StableQueue (Queue → Export) and import that file.`;
  }
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return `The export has no valid "version" (got ${JSON.stringify(version ?? null)}); this StableQueue reads versions 1 to ${QUEUE_EXPORT_VERSION}.`;
  }
  if (version > QUEUE_EXPORT_VERSION) {
    const by = typeof doc.stablequeue_version === 'string' ? ` (made by StableQueue ${doc.stablequeue_version})` : '';
    return `The export is version ${version}${by}, newer than this StableQueue ${VERSION} reads (up to ${QUEUE_EXPORT_VERSION}). Update StableQueue, then import it again.`;
  }
  if (!Array.isArray(doc.jobs)) return 'The export has no "jobs" list.';
  if (doc.jobs.length > QUEUE_EXPORT_MAX_JOBS) return `The export holds ${doc.jobs.length} jobs; at most ${QUEUE_EXPORT_MAX_JOBS} are imported at once. Split the file.`;
  return null;
}

/**
 * The jobs of an export file as generate requests, in the file's order (waiting jobs only:
 * finished ones were exported for the record and are counted as skipped), each with its
 * batch in the file when the file carries that batch. Each request has
 * passed the same schema as a new job; the caller runs the rest of the new-job checks.
 * Any problem refuses the whole file, naming the job, so an import is all or nothing.
 */
export function importRequests(doc: Record<string, unknown>): {
  requests: GenerateRequest[];
  /** Per request, its batch in the file (null: made alone, or its batch is not in the file). */
  cells: (ImportedBatchCell | null)[];
  batches: Map<string, ExportedBatch>;
  skipped: QueueImportResponse['skipped'];
} {
  const problem = formatProblem(doc);
  if (problem) throw new QueueImportError(400, 'unsupported_export', `${problem} Nothing was imported.`);
  const batches = fileBatches(doc);
  const cells: (ImportedBatchCell | null)[] = [];
  const requests: GenerateRequest[] = [];
  const skipped: Record<string, number> = {};
  (doc.jobs as unknown[]).forEach((job, index) => {
    if (!checkExportedJob.Check(job)) {
      const first = [...checkExportedJob.Errors(job)][0];
      throw new QueueImportError(400, 'invalid_export_job', `Job ${index + 1} of the file is not a valid exported job: ${first?.instancePath || '(job)'} ${first?.message ?? ''}. Nothing was imported.`.replace(/\s+\./, '.'));
    }
    if (FINISHED_STATUSES.includes(job.status)) { skipped.finished = (skipped.finished ?? 0) + 1; return; }
    const request: GenerateRequest = {
      target_server_alias: job.target_server_alias,
      app_type: job.app_type,
      priority: job.priority,
      mode: job.mode,
      generation_params: job.generation_params,
      ...(job.source_info !== null ? { source_info: job.source_info } : {}),
      ...(job.metadata !== null ? { metadata: job.metadata } : {}),
      ...(job.not_before !== null ? { not_before: job.not_before } : {}),
      ...(job.status === 'held' ? { hold: true } : {}),
    };
    if (!checkRequest.Check(request)) {
      const first = [...checkRequest.Errors(request)][0];
      throw new QueueImportError(400, 'invalid_export_job', `Job ${index + 1} of the file (${job.mobilesd_job_id}) would not be accepted as a new job: ${first?.instancePath || '(job)'} ${first?.message ?? ''}. Nothing was imported.`);
    }
    requests.push(request);
    cells.push(job.batch_id && batches.has(job.batch_id) ? { fileBatchId: job.batch_id, index: job.batch_index ?? null } : null);
  });
  return { requests, cells, batches, skipped };
}
