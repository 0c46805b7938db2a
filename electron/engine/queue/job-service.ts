import { FINISHED_STATUSES, WAITING_STATUSES, isWaitingStatus, type EditJobRequest, type GenerateRequest, type GenerationParams, type JobStatus, type JobStatusResponse, type JobSummary, type ReorderRequest } from '../../../shared/jobs.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { AppType } from '../../../shared/servers.ts';
import { comfySubmitProblem } from '../backends/comfyui/submit-check.ts';
import { isoAt, type Clock } from '../clock.ts';
import { DomainError } from '../domain-error.ts';
import { validateTargetUrl } from '../net/target-url.ts';
import type { ServerRegistry } from '../servers/server-registry.ts';
import type { QueueForecast } from './dispatch/queue-forecast.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { JobEvents } from './job-events.ts';
import { AUTO_SERVER } from '../../../shared/servers.ts';
import { changesOf, mergedParams, withEdit } from './job-edit-plan.ts';
import { displayColumns } from './job-display.ts';
import { waitVerdict } from '../servers/server-eligibility.ts';
import { demandsOfRequest } from './job-demands.ts';
import { jobModeFor, type JobRow } from './job-row.ts';
import type { JobStore, ListQuery, NewJob } from './job-store.ts';
import type { BulkRequest, BulkResponse } from '../../../shared/queue-bulk.ts';
import { QUEUE_EXPORT_MAX_JOBS, type QueueExport, type QueueImportResponse } from '../../../shared/queue-export.ts';
import { BulkActions } from './bulk-actions.ts';
import { importRequests, queueExport, type BatchTransfer } from './queue-transfer.ts';
import { toJobStatus } from './job-view.ts';
import { normalizeSeedFields, SeedFieldError } from './seed-fields.ts';
import type { SettingsStore } from './settings-store.ts';
import { SubmitBatcher } from './submit-batcher.ts';
import { missingExtensionProblem } from './submit-extension-check.ts';


/** A queue request that cannot be done as asked (unknown job, wrong state, unknown server). */
export class JobServiceError extends DomainError {}

/** The params with seed and subseed as integers (-1 = random); a seed that cannot be one is a 400. */
function withIntegerSeeds(params: GenerationParams): GenerationParams {
  try {
    return normalizeSeedFields(params);
  } catch (error) {
    if (error instanceof SeedFieldError) throw new JobServiceError(400, 'validation_error', error.message);
    throw error;
  }
}

/** A client's metadata is kept with the job and sent back with every read, so its size is capped. */
function checkedMetadata(metadata: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (metadata === undefined) return null;
  const bytes = Buffer.byteLength(JSON.stringify(metadata));
  if (bytes > LIMITS.metadataBytes) {
    throw new JobServiceError(400, 'validation_error', `metadata is ${bytes} bytes of JSON; a job keeps at most ${LIMITS.metadataBytes}. Keep large data on the client and send an id.`);
  }
  return metadata;
}

/** Only a job that has not started can be edited; this says why another cannot. */
function notEditable(status: JobStatus): JobServiceError {
  const why = FINISHED_STATUSES.includes(status)
    ? `it has already finished (${status})`
    : `it has already started (${status}); cancel it and submit a new job, or requeue it after it ends`;
  return new JobServiceError(409, 'job_not_editable', `Only a pending or held job can be edited, and ${why}. Nothing was changed.`);
}

/** An ISO start time as epoch ms (0 = none); the schema has checked its form already. */
export function notBeforeMs(iso: string | null | undefined): number {
  if (!iso) return 0;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new JobServiceError(400, 'validation_error', `not_before "${iso}" is not a time; send ISO 8601 with an offset, e.g. 2026-05-01T23:00:00+02:00.`);
  return ms;
}

/** Turns a request as sent into the one stored (a saved template filled in, styles applied). */
export type RequestPreparer = (request: GenerateRequest) => GenerateRequest;

/** Checks already passed while making many jobs at once (see newJobs). */
interface CheckMemo {
  /** Demands (as JSON) some server's rules let run. */
  runnable: Set<string>;
  /** Metadata objects within the size cap. */
  metadata: WeakSet<object>;
}

export interface SubmitOptions {
  apiKeyId?: string | null;
  sourceInfo?: string | null;
}

/**
 * Queue operations as the API and the shell see them: store + dispatcher. Every change
 * goes out through the job-events publisher, which also wakes the dispatcher.
 */
export class JobService {
  readonly #jobs: JobStore;
  readonly #dispatcher: Dispatcher;
  readonly #registry: ServerRegistry;
  readonly #events: JobEvents;
  readonly #settings: SettingsStore;
  readonly #clock: Clock;
  readonly #maxAttempts: number;
  readonly #batcher: SubmitBatcher;
  readonly #forecast: QueueForecast;
  readonly #bulk: BulkActions;
  readonly #preparers: RequestPreparer[] = [];
  #batchTransfer: BatchTransfer | null = null;

  constructor(deps: {
    jobs: JobStore; dispatcher: Dispatcher; registry: ServerRegistry; events: JobEvents; settings: SettingsStore;
    clock: Clock; maxAttempts: number;
    /** Expected start and end of each waiting job. */
    forecast: QueueForecast;
  }) {
    this.#forecast = deps.forecast;
    this.#jobs = deps.jobs;
    this.#dispatcher = deps.dispatcher;
    this.#registry = deps.registry;
    this.#events = deps.events;
    this.#settings = deps.settings;
    this.#clock = deps.clock;
    this.#maxAttempts = deps.maxAttempts;
    this.#batcher = new SubmitBatcher((jobs) => this.#jobs.insertMany(jobs));
    this.#bulk = new BulkActions({ jobs: deps.jobs, service: this, events: deps.events, dispatcher: deps.dispatcher });
  }

  summary(row: JobRow): JobSummary {
    return this.#events.summary(row);
  }

  /** How batches go into an export and come back from an import (the batches module owns them). */
  setBatchTransfer(transfer: BatchTransfer): void {
    this.#batchTransfer = transfer;
  }

  /** Adds a step every new job's request goes through before it is checked and stored. */
  addRequestPreparer(preparer: RequestPreparer): void {
    this.#preparers.push(preparer);
  }

  /** Validates the target and stores the job; it is durable in SQLite when this resolves. */
  async submit(request: GenerateRequest, options: SubmitOptions = {}): Promise<JobRow> {
    const row = await this.#batcher.submit(await this.newJob(request, options));
    this.#events.created(row);
    return row;
  }

  /**
   * A request as the row it will be stored as, after every check a new job passes. Batches
   * build their jobs with it and store them in their own transaction (then `announceCreated`).
   */
  async newJob(sent: GenerateRequest, options: SubmitOptions = {}, memo: CheckMemo | null = null): Promise<NewJob> {
    const request = this.#preparers.reduce((r, prepare) => prepare(r), sent);
    const { target, appType } = this.#checkedTarget(request);
    this.#checkSomeServerCanRun(request, target, appType, memo);
    const callback = request.callback_url ? { url: await validateTargetUrl(request.callback_url), attachImages: request.callback_images ?? false } : null;
    const metadataChecked = memo !== null && request.metadata !== undefined && memo.metadata.has(request.metadata);
    const metadata = metadataChecked ? request.metadata! : checkedMetadata(request.metadata);
    if (memo && metadata) memo.metadata.add(metadata);
    return {
      target_server_alias: target,
      app_type: appType,
      priority: request.priority ?? this.#settings.get('default_priority'),
      generation_params: withIntegerSeeds(request.generation_params),
      mode: request.mode,
      source_info: options.sourceInfo ?? request.source_info ?? null,
      api_key_id: options.apiKeyId ?? null,
      max_attempts: this.#maxAttempts,
      metadata,
      callback,
      held: request.hold ?? false,
      notBefore: notBeforeMs(request.not_before),
      requiresTags: request.requires_tags ?? null,
    };
  }

  /**
   * A job no enabled server's rules (tags, checkpoint patterns, size, batch) would ever let
   * run is refused now, naming each server's rule, instead of waiting forever.
   */
  #checkSomeServerCanRun(request: GenerateRequest, target: string, appType: AppType, memo: CheckMemo | null): void {
    const demands = demandsOfRequest({
      appType, target, params: request.generation_params, checkpoint: displayColumns(request.generation_params).checkpoint_name,
      requiresTags: request.requires_tags,
    });
    const key = memo ? JSON.stringify(demands) : '';
    if (memo?.runnable.has(key)) return;
    const verdict = waitVerdict(demands, this.#registry.all(), this.#clock.now());
    if (verdict?.verdict === 'never') throw new JobServiceError(400, 'no_server_can_run', verdict.reason);
    memo?.runnable.add(key);
  }

  /**
   * Many requests as rows (a batch's jobs), each checked as a new job is; what several
   * share is checked once: whether some server's rules let a job of these demands
   * (checkpoint, size, tags) run, and the metadata they carry.
   */
  async newJobs(requests: readonly GenerateRequest[], options: SubmitOptions = {}): Promise<NewJob[]> {
    const memo: CheckMemo = { runnable: new Set(), metadata: new WeakSet() };
    const jobs: NewJob[] = [];
    for (const request of requests) jobs.push(await this.newJob(request, options, memo));
    return jobs;
  }

  /** Jobs stored in a caller's own transaction (a batch): tell everyone, as submit does. */
  announceCreated(rows: readonly JobRow[]): void {
    if (rows.length) this.#events.createdMany(rows);
  }

  /** Many jobs at once; see BulkActions. */
  bulk(request: BulkRequest, options: { apiKeyId: string | null }): Promise<BulkResponse> {
    return this.#bulk.run(request, options);
  }

  /** The queue as a file: waiting jobs in dispatch order, and the finished ones when asked for. */
  exportQueue(options: { includeFinished: boolean }): QueueExport {
    const page = (statuses: readonly JobStatus[]) => this.#jobs.list({ statuses: [...statuses], limit: QUEUE_EXPORT_MAX_JOBS, offset: 0 }).rows;
    return queueExport({ waiting: page(WAITING_STATUSES), finished: options.includeFinished ? page(FINISHED_STATUSES) : [] }, this.#clock, this.#batchTransfer);
  }

  /**
   * Queues the waiting jobs of an export file again: new ids, the file's order, each checked
   * as a new job first. All or nothing: the first job that fails refuses the file, naming it.
   * Jobs that were in a batch are grouped again in a new batch with the file's axes, stored
   * in the same transaction as the jobs.
   */
  async importQueue(doc: Record<string, unknown>, options: SubmitOptions = {}): Promise<QueueImportResponse> {
    const { requests, cells, batches, skipped } = importRequests(doc);
    const jobs: NewJob[] = [];
    for (const [index, request] of requests.entries()) {
      try {
        jobs.push(await this.newJob(request, options));
      } catch (error) {
        if (error instanceof DomainError) throw new JobServiceError(error.status, error.code, `Job ${index + 1} of the file: ${error.message} Nothing was imported.`, error.details);
        throw error;
      }
    }
    const transfer = this.#batchTransfer;
    const batchIds: Record<string, string> = {};
    const rows = this.#jobs.inTransaction(() => {
      if (transfer) {
        jobs.forEach((job, i) => {
          const cell = cells[i];
          if (!cell) return;
          batchIds[cell.fileBatchId] ??= transfer.restore(batches.get(cell.fileBatchId)!, { apiKeyId: options.apiKeyId ?? null, targetServerAlias: job.target_server_alias });
          job.batch = { id: batchIds[cell.fileBatchId], index: cell.index };
        });
      }
      return this.#jobs.insertMany(jobs);
    });
    this.announceCreated(rows);
    return { imported: rows.length, batch_ids: batchIds, mobilesd_job_ids: rows.map((r) => r.mobilesd_job_id), skipped };
  }

  /**
   * The checks every job passes before it is stored, new or edited: the server exists and
   * runs the job's kind, has the extensions the job names, and a ComfyUI job has a graph.
   */
  #checkedTarget(request: Pick<GenerateRequest, 'target_server_alias' | 'app_type' | 'mode' | 'generation_params'>): { target: string; appType: AppType } {
    const target = request.target_server_alias?.trim() || AUTO_SERVER;
    let appType: AppType | undefined = request.app_type;
    if (target !== AUTO_SERVER) {
      const server = this.#registry.get(target);
      if (!server) {
        const known = this.#registry.all().map((s) => s.row.alias);
        throw new JobServiceError(404, 'unknown_server', `No server named "${target}".${known.length ? ` Known servers: ${known.join(', ')}, or "auto".` : ' Add one under Servers first.'}`);
      }
      if (appType && appType !== server.row.app_type) {
        throw new JobServiceError(400, 'app_type_mismatch', `Server "${target}" is a ${server.row.app_type} server, but the job is for ${appType}.`);
      }
      appType = server.row.app_type;
      const extensionProblem = missingExtensionProblem(server, this.#registry.all(), jobModeFor(request.mode, request.generation_params), request.generation_params);
      if (extensionProblem) throw new JobServiceError(400, 'missing_extension', extensionProblem.message, extensionProblem.details);
    }
    appType ??= request.generation_params.workflow ? 'comfyui' : 'forge';
    if (appType === 'comfyui' && request.generation_params.workflow === undefined && !request.generation_params.positive_prompt) {
      throw new JobServiceError(400, 'missing_workflow', 'A ComfyUI job needs generation_params.workflow (API format) or a positive_prompt for the built-in txt2img graph.');
    }
    const comfyProblem = appType === 'comfyui' ? comfySubmitProblem(request.generation_params) : null;
    if (comfyProblem) throw new JobServiceError(400, comfyProblem.code, comfyProblem.message, comfyProblem.details);
    return { target, appType };
  }

  /**
   * Changes a job that has not started: its params merged with the ones sent, then the
   * whole job checked as a new one would be. A running or finished job is refused (409)
   * and left as it was. The edit is recorded in the job's history.
   */
  edit(id: string, request: EditJobRequest, options: { apiKeyId: string | null }): JobRow {
    const outcome = this.applyEdit(id, request, options);
    if (outcome === 'unchanged') return this.get(id);
    this.#events.changed(id);
    if (outcome === 'reprioritised') void this.#dispatcher.requeueOutranked();
    return this.get(id);
  }

  /**
   * The stored part of an edit, without announcing it: a bulk action applies many inside
   * one transaction and announces them after it commits. Throws like `edit`.
   */
  applyEdit(id: string, request: EditJobRequest, options: { apiKeyId: string | null }): 'unchanged' | 'edited' | 'reprioritised' {
    const row = this.get(id);
    if (!isWaitingStatus(row.status)) throw notEditable(row.status);
    // Edited flat fields go into a template's or workflow's nodes as at submit.
    const merged = this.#preparers.reduce((r, prepare) => prepare(r), { app_type: row.app_type, generation_params: mergedParams(row, request) } as GenerateRequest);
    const params = withIntegerSeeds(merged.generation_params);
    const { target } = this.#checkedTarget({
      target_server_alias: request.target_server_alias ?? row.target_server_alias, app_type: row.app_type, mode: row.mode, generation_params: params,
    });
    const priority = request.priority ?? row.priority;
    const notBefore = request.not_before === undefined ? row.not_before : notBeforeMs(request.not_before);
    const changes = changesOf(row, { params, target, priority, notBefore });
    if (changes.length === 0) return 'unchanged';
    const historyJson = withEdit(row, {
      at: isoAt(this.#clock), by: options.apiKeyId ? 'api_key' : 'ui', api_key_id: options.apiKeyId, changes,
    });
    const outcome = this.#jobs.edit(id, { params, target, priority, notBefore, historyJson });
    if (outcome === 'not_found') throw new JobServiceError(404, 'job_not_found', `No job with id ${id}.`);
    if (outcome === 'not_pending') throw notEditable(this.get(id).status);
    return priority !== row.priority ? 'reprioritised' : 'edited';
  }

  /**
   * Holds a pending job: it stays in its place, safe in the queue, and is not dispatched
   * until released. Holding a held job changes nothing; any other state is a 409.
   */
  hold(id: string): JobRow {
    const row = this.get(id);
    if (row.status === 'held') return row;
    if (!this.#jobs.hold(id)) {
      throw new JobServiceError(409, 'not_pending', `Only a pending job can be held; this one is ${this.get(id).status}. Nothing was changed.`);
    }
    this.#events.changed(id);
    return this.get(id);
  }

  /** Lets a held job run again, in the place it kept. Releasing a pending job changes nothing; any other state is a 409. */
  release(id: string): JobRow {
    const row = this.get(id);
    if (row.status === 'pending') return row;
    if (!this.#jobs.releaseHeld(id)) {
      throw new JobServiceError(409, 'not_held', `Only a held job can be released; this one is ${this.get(id).status}. Nothing was changed.`);
    }
    this.#events.changed(id);
    return this.get(id);
  }

  get(id: string): JobRow {
    const row = this.#jobs.get(id);
    if (!row) throw new JobServiceError(404, 'job_not_found', `No job with id ${id}.`);
    return row;
  }

  status(id: string): JobStatusResponse {
    const row = this.get(id);
    const status = toJobStatus(row, this.#jobs.images(id), this.#dispatcher.live(id), this.#jobs.queuePosition(row), this.#clock.now());
    return { ...status, ...this.#estimates(row, status.estimated_completion_time) };
  }

  /**
   * A job's expected start and end: a waiting job's from the queue forecast; a running job
   * started at its start, and ends when the server's progress says (else when the learned
   * times say); a parked one ends when its download should.
   */
  #estimates(row: JobRow, reported: string | null = null): { estimated_start_time: string | null; estimated_completion_time: string | null } {
    const iso = (ms: number) => new Date(ms).toISOString();
    const forecast = this.#forecast.forJob(row);
    if (row.status === 'processing') {
      return { estimated_start_time: row.started_timestamp, estimated_completion_time: reported ?? (forecast ? iso(forecast.end) : null) };
    }
    if (row.status === 'pending' && forecast) return { estimated_start_time: iso(forecast.start), estimated_completion_time: iso(forecast.end) };
    return { estimated_start_time: null, estimated_completion_time: reported };
  }

  /** The first `limit` waiting jobs' expected start and end, in dispatch order. */
  forecast(limit: number): { mobilesd_job_id: string; estimated_start_time: string; estimated_completion_time: string }[] {
    return this.#forecast.first(limit).map(({ id, forecast }) => ({
      mobilesd_job_id: id, estimated_start_time: new Date(forecast.start).toISOString(), estimated_completion_time: new Date(forecast.end).toISOString(),
    }));
  }

  /** When every waiting and running job should be done (ISO), or null when none is. */
  allDoneBy(): string | null {
    const at = this.#forecast.allDoneBy();
    return at === null ? null : new Date(at).toISOString();
  }

  queuePosition(row: JobRow): number | null {
    return this.#jobs.queuePosition(row);
  }

  /** When a waiting job should start, from the queue forecast; null when unknown. */
  estimatedStart(row: JobRow): string | null {
    return this.#estimates(row).estimated_start_time;
  }

  /** A page of the queue list; pending rows carry their queue_position. */
  list(query: ListQuery) {
    const { rows, total } = this.#jobs.list(query);
    const positions = this.#jobs.queuePositions(rows);
    const jobs = rows.map((r) => ({ ...this.summary(r), queue_position: positions.get(r.mobilesd_job_id) ?? null, ...this.#estimates(r) }));
    return { jobs, total, counts: this.#jobs.counts(), all_done_by: this.allDoneBy() };
  }

  async cancel(id: string): Promise<JobRow> {
    const outcome = this.#jobs.cancel(id);
    if (outcome === 'not_found') throw new JobServiceError(404, 'job_not_found', `No job with id ${id}.`);
    if (outcome === 'finished') throw new JobServiceError(409, 'job_finished', 'The job has already finished; nothing to cancel.');
    if (outcome === 'running') await this.#dispatcher.cancelRunning(id);
    this.#events.changed(id);
    return this.get(id);
  }

  retry(id: string): JobRow {
    const row = this.get(id);
    if (!this.#jobs.retry(id)) throw new JobServiceError(409, 'not_retryable', `Only failed or cancelled jobs can be retried; this one is ${row.status}.`);
    this.#events.changed(id);
    return this.get(id);
  }

  /** A new job with the same parameters, server and priority. */
  requeue(id: string, options: SubmitOptions = {}): Promise<JobRow> {
    const row = this.get(id);
    return this.submit({
      target_server_alias: row.target_server_alias,
      app_type: row.app_type,
      priority: row.priority,
      mode: row.mode,
      generation_params: JSON.parse(row.generation_params_json),
      ...(row.metadata_json ? { metadata: JSON.parse(row.metadata_json) as Record<string, unknown> } : {}),
    }, { sourceInfo: row.source_info, ...options });
  }

  reorder(id: string, target: ReorderRequest): JobRow {
    const result = this.#jobs.reorder(id, target);
    if (result === 'not_found') throw new JobServiceError(404, 'job_not_found', `No job with id ${id}.`);
    if (result === 'not_pending') throw new JobServiceError(409, 'not_pending', 'Only pending jobs can be moved.');
    if (result === 'bad_anchor') throw new JobServiceError(400, 'bad_anchor', 'The job to move next to must be another pending job.');
    this.#events.changed(id);
    void this.#dispatcher.requeueOutranked();
    return this.get(id);
  }

  setPriority(id: string, priority: number): JobRow {
    if (!this.#jobs.setPriority(id, priority)) throw new JobServiceError(404, 'job_not_found', `No job with id ${id}.`);
    this.#events.changed(id);
    void this.#dispatcher.requeueOutranked();
    return this.get(id);
  }

  /** Removes a job from the queue list; a running or pending one is cancelled first. Images stay in the gallery. */
  async remove(id: string): Promise<void> {
    const row = this.get(id);
    if (!FINISHED_STATUSES.includes(row.status)) await this.cancel(id);
    this.#jobs.archive(id);
    this.#events.deleted(id);
  }

  clearFinished(): number {
    const n = this.#jobs.clearFinished();
    this.#events.queueChanged();
    return n;
  }

  setPaused(paused: boolean): void {
    this.#settings.set('queue_paused', paused);
    this.#events.queueChanged();
  }

  isPaused(): boolean {
    return this.#settings.get('queue_paused');
  }

  counts(): Record<JobStatus, number> {
    return this.#jobs.counts();
  }

  dispose(): void {
    this.#events.dispose();
  }
}
