import { FINISHED_STATUSES, type EditJobRequest, type GenerateRequest, type GenerationParams, type JobStatus, type JobStatusResponse, type JobSummary, type ReorderRequest } from '../../../shared/jobs.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { AppType } from '../../../shared/servers.ts';
import { comfySubmitProblem } from '../backends/comfyui/submit-check.ts';
import type { Clock } from '../clock.ts';
import { DomainError } from '../domain-error.ts';
import { validateTargetUrl } from '../net/target-url.ts';
import type { ServerRegistry } from '../servers/server-registry.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { JobEvents } from './job-events.ts';
import { AUTO_SERVER } from '../../../shared/servers.ts';
import { changesOf, mergedParams, withEdit } from './job-edit-plan.ts';
import { jobModeFor, type JobRow } from './job-row.ts';
import type { JobStore, ListQuery } from './job-store.ts';
import { toJobStatus } from './job-view.ts';
import { normalizeSeedFields, SeedFieldError } from './seed-fields.ts';
import type { SettingsStore } from './settings-store.ts';
import { SubmitBatcher } from './submit-batcher.ts';
import { missingExtensionProblem } from './submit-extension-check.ts';

/** Assumed run time of a job when none of its kind has completed yet, for start estimates. */
const DEFAULT_JOB_DURATION_MS = 30_000;

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
  return new JobServiceError(409, 'job_not_editable', `Only a pending job can be edited, and ${why}. Nothing was changed.`);
}

/** Turns a request as sent into the one stored (a saved template filled in, styles applied). */
export type RequestPreparer = (request: GenerateRequest) => GenerateRequest;

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
  readonly #preparers: RequestPreparer[] = [];

  constructor(deps: {
    jobs: JobStore; dispatcher: Dispatcher; registry: ServerRegistry; events: JobEvents; settings: SettingsStore;
    clock: Clock; maxAttempts: number;
  }) {
    this.#jobs = deps.jobs;
    this.#dispatcher = deps.dispatcher;
    this.#registry = deps.registry;
    this.#events = deps.events;
    this.#settings = deps.settings;
    this.#clock = deps.clock;
    this.#maxAttempts = deps.maxAttempts;
    this.#batcher = new SubmitBatcher((jobs) => this.#jobs.insertMany(jobs));
  }

  summary(row: JobRow): JobSummary {
    return this.#events.summary(row);
  }

  /** Adds a step every new job's request goes through before it is checked and stored. */
  addRequestPreparer(preparer: RequestPreparer): void {
    this.#preparers.push(preparer);
  }

  /** Validates the target and stores the job; it is durable in SQLite when this resolves. */
  async submit(sent: GenerateRequest, options: SubmitOptions = {}): Promise<JobRow> {
    const request = this.#preparers.reduce((r, prepare) => prepare(r), sent);
    const { target, appType } = this.#checkedTarget(request);
    const callback = request.callback_url ? { url: await validateTargetUrl(request.callback_url), attachImages: request.callback_images ?? false } : null;
    const row = await this.#batcher.submit({
      target_server_alias: target,
      app_type: appType,
      priority: request.priority ?? this.#settings.get('default_priority'),
      generation_params: withIntegerSeeds(request.generation_params),
      mode: request.mode,
      source_info: options.sourceInfo ?? request.source_info ?? null,
      api_key_id: options.apiKeyId ?? null,
      max_attempts: this.#maxAttempts,
      metadata: checkedMetadata(request.metadata),
      callback,
    });
    this.#events.created(row);
    return row;
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
    const row = this.get(id);
    if (row.status !== 'pending') throw notEditable(row.status);
    const params = withIntegerSeeds(mergedParams(row, request));
    const { target } = this.#checkedTarget({
      target_server_alias: request.target_server_alias ?? row.target_server_alias, app_type: row.app_type, mode: row.mode, generation_params: params,
    });
    const priority = request.priority ?? row.priority;
    const changes = changesOf(row, { params, target, priority });
    if (changes.length === 0) return row;
    const historyJson = withEdit(row, {
      at: new Date(this.#clock.now()).toISOString(), by: options.apiKeyId ? 'api_key' : 'ui', api_key_id: options.apiKeyId, changes,
    });
    const outcome = this.#jobs.edit(id, { params, target, priority, historyJson });
    if (outcome === 'not_found') throw new JobServiceError(404, 'job_not_found', `No job with id ${id}.`);
    if (outcome === 'not_pending') throw notEditable(this.get(id).status);
    this.#events.changed(id);
    if (priority !== row.priority) void this.#dispatcher.requeueOutranked();
    return this.get(id);
  }

  get(id: string): JobRow {
    const row = this.#jobs.get(id);
    if (!row) throw new JobServiceError(404, 'job_not_found', `No job with id ${id}.`);
    return row;
  }

  status(id: string): JobStatusResponse {
    const row = this.get(id);
    return toJobStatus(row, this.#jobs.images(id), this.#dispatcher.live(id), this.#jobs.queuePosition(row), this.#clock.now());
  }

  queuePosition(row: JobRow): number | null {
    return this.#jobs.queuePosition(row);
  }

  /** A rough start time: jobs ahead × the average recent duration, spread over the servers. */
  estimatedStart(row: JobRow): string | null {
    const position = this.#jobs.queuePosition(row);
    if (position === null) return null;
    const servers = Math.max(1, this.#registry.all().filter((s) => s.row.app_type === row.app_type && s.health === 'online').length);
    const avg = this.#jobs.averageDurationMs(row.app_type) ?? DEFAULT_JOB_DURATION_MS;
    return new Date(this.#clock.now() + ((position - 1) / servers) * avg).toISOString();
  }

  /** A page of the queue list; pending rows carry their queue_position. */
  list(query: ListQuery) {
    const { rows, total } = this.#jobs.list(query);
    const positions = this.#jobs.queuePositions(rows);
    const jobs = rows.map((r) => ({ ...this.summary(r), queue_position: positions.get(r.mobilesd_job_id) ?? null }));
    return { jobs, total, counts: this.#jobs.counts() };
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
