import { randomUUID } from 'node:crypto';
import {
  ACTIVE_STATUSES, FINISHED_STATUSES, JOB_STATUSES, RUNNING_STATUSES, WAITING_STATUSES, isWaitingStatus, type GenerationParams, type JobMode, type JobStatus,
} from '../../../shared/jobs.ts';
import type { AppType } from '../../../shared/servers.ts';
import { isoAt, type Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { GalleryStore, type ImageRow } from '../gallery/gallery-store.ts';
import type { ImageRecord } from '../results/image-store.ts';
import { jobModeFor, type ClaimedJob, type JobRow } from './job-row.ts';
import { displayColumns } from './job-display.ts';
import { retryEdit, withEdit } from './job-edit-plan.ts';
import { SHARE_KEY_SQL, type RankedJob } from './dispatch/fair-share.ts';

export interface NewJob {
  target_server_alias: string;
  app_type: AppType;
  priority: number;
  generation_params: GenerationParams;
  mode?: JobMode;
  source_info?: string | null;
  api_key_id?: string | null;
  max_attempts: number;
  metadata?: Record<string, unknown> | null;
  /** Gets the result when the job finishes or fails; checked against the SSRF rule before it gets here. */
  callback?: { url: string; attachImages: boolean } | null;
  /** Stored as held: kept in line but never dispatched until released. */
  held?: boolean;
  /** Earliest start (epoch ms); absent or 0 = as soon as its turn comes. */
  notBefore?: number;
  /** Tags every server that runs it must have. */
  requiresTags?: string[] | null;
  /** The batch the job was made in, and its cell in the batch's grid. */
  batch?: { id: string; index: number | null } | null;
}

export interface ListQuery {
  statuses?: JobStatus[];
  appType?: AppType;
  /** Only jobs whose source_info is exactly this (e.g. "forge_extension"). */
  sourceInfo?: string;
  /** Only jobs submitted with this API key (api_keys.id). */
  apiKeyId?: string;
  /** A job id (exact) or words of the prompt (substring, case-insensitive). */
  search?: string;
  includeArchived?: boolean;
  limit: number;
  offset: number;
}

/** What a dispatch plan picked: the job, its server, and the earlier jobs it passed. */
export interface ClaimChoice {
  job: JobRow;
  alias: string;
  overtaken: readonly string[];
}

/** A slot a job may be claimed for: one server alias and its app type. */
export interface FreeSlot {
  alias: string;
  appType: AppType;
}

/** The insert statement's @prompt and @checkpoint: what lists and gallery search show. */
function displayParams(params: GenerationParams): { prompt: string; checkpoint: string | null } {
  const columns = displayColumns(params);
  return { prompt: columns.positive_prompt, checkpoint: columns.checkpoint_name };
}

/** A status list as SQL: `IN (${sqlList(FINISHED_STATUSES)})`. Statuses are our own constants, never input. */
const sqlList = (statuses: readonly JobStatus[]) => statuses.map((s) => `'${s}'`).join(', ');

/**
 * All SQL about jobs (their images' rows through the gallery store, in the same transactions). Every read-then-write runs in BEGIN IMMEDIATE,
 * and completion/failure are fenced on the lease token so a stale attempt can never
 * overwrite a newer one.
 */
export class JobStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #gallery: GalleryStore;
  readonly #stmts;
  /** Per (status, app_type) counts of non-archived jobs; dropped by every #write. */
  #countsCache: { status: JobStatus; app_type: AppType; n: number }[] | null = null;

  constructor(db: Db, clock: Clock, gallery: GalleryStore = new GalleryStore(db)) {
    this.#db = db;
    this.#clock = clock;
    this.#gallery = gallery;
    this.#stmts = {
      // No RETURNING: SQLite's RETURNING costs several times the insert itself; the row is read back by its key.
      insert: db.prepare<[Record<string, unknown>]>(`INSERT INTO jobs (mobilesd_job_id, status, creation_timestamp, last_updated_timestamp,
        target_server_alias, generation_params_json, app_type, mode, source_info, api_key_id, priority, position,
        max_attempts, positive_prompt, checkpoint_name, metadata_json, callback_url, callback_images, not_before, requires_tags_json, batch_id, batch_index)
        VALUES (@id, @status, @now, @now, @target, @params, @app_type, @mode, @source_info, @api_key_id, @priority,
        @position, @max_attempts, @prompt, @checkpoint, @metadata, @callback_url, @callback_images, @not_before, @requires_tags, @batch_id, @batch_index)`),
      lastPosition: db.prepare<[], { p: number }>('SELECT COALESCE(MAX(position), 0) AS p FROM jobs'),
      // The rows one insertMany wrote: its positions are consecutive and nothing else writes inside its transaction.
      byPositions: db.prepare<[number, number], JobRow>('SELECT * FROM jobs WHERE position BETWEEN ? AND ? ORDER BY position'),
      get: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE mobilesd_job_id = ?'),
      claim: db.prepare<[Record<string, unknown>], ClaimedJob>(`UPDATE jobs SET status = 'processing',
        assigned_server_alias = @alias, lease_token = @token, attempts = attempts + 1,
        started_timestamp = @now, last_updated_timestamp = @now, error_message = NULL
        WHERE mobilesd_job_id = @id AND status = 'pending' RETURNING *`),
      setBackendTask: db.prepare('UPDATE jobs SET backend_task_id = ? WHERE mobilesd_job_id = ? AND lease_token = ?'),
      finish: db.prepare(`UPDATE jobs SET status = @status, completion_timestamp = @now, last_updated_timestamp = @now,
        lease_token = NULL, error_message = @error, result_details_json = @details
        WHERE mobilesd_job_id = @id AND lease_token = @token AND status = 'processing'`),
      release: db.prepare(`UPDATE jobs SET status = 'pending', lease_token = NULL,
        assigned_server_alias = NULL, run_after = @run_after, attempts = attempts - @refund, error_message = @error,
        last_updated_timestamp = @now, backend_task_id = NULL, crash_count = crash_count + @crashed,
        oom_vram_bytes = COALESCE(@oom_vram_bytes, oom_vram_bytes)
        WHERE mobilesd_job_id = @id AND lease_token = @token AND status = 'processing'`),
      quarantine: db.prepare(`UPDATE jobs SET status = 'held', lease_token = NULL, assigned_server_alias = NULL,
        attempts = attempts - 1, error_message = @reason, crash_count = crash_count + 1, last_updated_timestamp = @now, backend_task_id = NULL
        WHERE mobilesd_job_id = @id AND lease_token = @token AND status = 'processing'`),
      failPending: db.prepare(`UPDATE jobs SET status = 'failed', error_message = @error, completion_timestamp = @now,
        last_updated_timestamp = @now WHERE mobilesd_job_id = @id AND status = 'pending'`),
      cancelPending: db.prepare(`UPDATE jobs SET status = 'cancelled', completion_timestamp = @now, last_updated_timestamp = @now
        WHERE mobilesd_job_id = @id AND status IN ('pending', 'held', 'downloading_resources')`),
      // A bulk action edits hundreds of jobs at once: prepared once, not per job.
      edit: db.prepare(`UPDATE jobs SET generation_params_json = @params, positive_prompt = @prompt, checkpoint_name = @checkpoint,
        target_server_alias = @target, priority = @priority, not_before = @not_before, edit_history_json = @history, last_updated_timestamp = @now
        WHERE mobilesd_job_id = @id AND status IN (${sqlList(WAITING_STATUSES)})`),
      hold: db.prepare(`UPDATE jobs SET status = 'held', last_updated_timestamp = @now WHERE mobilesd_job_id = @id AND status = 'pending'`),
      releaseHeld: db.prepare(`UPDATE jobs SET status = 'pending', last_updated_timestamp = @now WHERE mobilesd_job_id = @id AND status = 'held'`),
      requestCancel: db.prepare(`UPDATE jobs SET cancel_requested = 1, last_updated_timestamp = @now
        WHERE mobilesd_job_id = @id AND status = 'processing'`),
      setHistory: db.prepare(`UPDATE jobs SET edit_history_json = @history WHERE mobilesd_job_id = @id`),
      retry: db.prepare(`UPDATE jobs SET status = 'pending', attempts = 0, run_after = 0, error_message = NULL,
        completion_timestamp = NULL, cancel_requested = 0, archived = 0, assigned_server_alias = NULL, backend_task_id = NULL,
        last_updated_timestamp = @now, position = (SELECT COALESCE(MAX(position), 0) + 1 FROM jobs)
        WHERE mobilesd_job_id = @id AND status IN ('failed', 'cancelled')`),
      archive: db.prepare(`UPDATE jobs SET archived = 1, last_updated_timestamp = @now WHERE mobilesd_job_id = @id
        AND status IN (${sqlList(FINISHED_STATUSES)})`),
      clearFinished: db.prepare(`UPDATE jobs SET archived = 1 WHERE archived = 0 AND status IN (${sqlList(FINISHED_STATUSES)})`),
      setPriority: db.prepare(`UPDATE jobs SET priority = @priority, last_updated_timestamp = @now WHERE mobilesd_job_id = @id`),
      setPosition: db.prepare(`UPDATE jobs SET position = @position, last_updated_timestamp = @now WHERE mobilesd_job_id = @id`),
      // Processing counts too: a job prefetched into a server's own queue still waits, and "top" goes before it.
      minPos: db.prepare<[], { p: number | null }>(`SELECT MIN(position) AS p FROM jobs WHERE status IN ('pending', 'held', 'processing')`),
      maxPos: db.prepare<[], { p: number | null }>(`SELECT MAX(position) AS p FROM jobs`),
      neighbourBefore: db.prepare<[number], { position: number }>(`SELECT position FROM jobs WHERE status IN (${sqlList(WAITING_STATUSES)}) AND position < ? ORDER BY position DESC LIMIT 1`),
      neighbourAfter: db.prepare<[number], { position: number }>(`SELECT position FROM jobs WHERE status IN (${sqlList(WAITING_STATUSES)}) AND position > ? ORDER BY position ASC LIMIT 1`),
      counts: db.prepare<[], { status: JobStatus; app_type: AppType; n: number }>(`SELECT status, app_type, COUNT(*) AS n FROM jobs
        WHERE archived = 0 GROUP BY status, app_type`),
      processing: db.prepare<[], JobRow>(`SELECT * FROM jobs WHERE status = 'processing'`),
      nextRunAfter: db.prepare<[number], { t: number | null }>(`SELECT MIN(run_after) AS t FROM jobs WHERE status = 'pending' AND run_after > ?`),
      nextNotBefore: db.prepare<[number], { t: number | null }>(`SELECT MIN(not_before) AS t FROM jobs WHERE status = 'pending' AND not_before > ?`),
      // Three exact ranges of the jobs_claim index (status, priority DESC, position): counting
      // with them reads only the rows counted, never the whole queue.
      pendingAbovePriority: db.prepare<[number], { n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE status = 'pending' AND priority > ?`),
      pendingPriorityBetween: db.prepare<[number, number], { n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE status = 'pending'
        AND priority > ? AND priority < ?`),
      pendingPositionBetween: db.prepare<[number, number, number], { n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE status = 'pending'
        AND priority = ? AND position > ? AND position < ?`),
      pendingAhead: db.prepare<[Record<string, unknown>], { one: number }>(`SELECT 1 AS one FROM jobs WHERE status = 'pending'
        AND run_after <= @now AND not_before <= @now AND app_type = @app_type AND (target_server_alias = 'auto' OR target_server_alias = @alias)
        AND (priority > @priority OR (priority = @priority AND position < @position)) LIMIT 1`),
      pendingCount: db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE api_key_id = ? AND status IN (${sqlList(ACTIVE_STATUSES)})`),
    };
  }

  /**
   * Runs a change that can move a job between statuses or in or out of the list (every
   * write but the ones to priority, position, params and task id), so the cached counts
   * are dropped after each one and can never outlive a change.
   */
  #write<T>(change: () => T): T {
    try {
      return change();
    } finally {
      this.#countsCache = null;
    }
  }

  /** Inserts a pending job; it is durable (synchronous=FULL) when this returns. */
  insert(job: NewJob): JobRow {
    return this.insertMany([job])[0];
  }

  /**
   * Inserts jobs in one transaction: one fsync for the whole group (group commit), so a
   * burst of submissions costs one durable write, not one each. They take the next
   * positions in the line, in the order given, and are read back in one query.
   */
  insertMany(jobs: NewJob[]): JobRow[] {
    if (jobs.length === 0) return [];
    return this.#write(() => {
      const now = isoAt(this.#clock);
      return this.#db.transaction(() => {
        const first = this.#stmts.lastPosition.get()!.p + 1;
        jobs.forEach((job, i) => this.#insertRow(job, now, first + i));
        return this.#stmts.byPositions.all(first, first + jobs.length - 1);
      }).immediate();
    });
  }

  #insertRow(job: NewJob, now: string, position: number): void {
    const params = job.generation_params;
    this.#stmts.insert.run({
      id: randomUUID(),
      position,
      now,
      target: job.target_server_alias,
      params: JSON.stringify(params),
      app_type: job.app_type,
      mode: jobModeFor(job.mode, params),
      source_info: job.source_info ?? null,
      api_key_id: job.api_key_id ?? null,
      priority: job.priority,
      max_attempts: job.max_attempts,
      metadata: job.metadata ? JSON.stringify(job.metadata) : null,
      callback_url: job.callback?.url ?? null,
      callback_images: job.callback?.attachImages ? 1 : 0,
      status: job.held ? 'held' : 'pending',
      not_before: job.notBefore ?? 0,
      requires_tags: job.requiresTags?.length ? JSON.stringify(job.requiresTags) : null,
      batch_id: job.batch?.id ?? null,
      batch_index: job.batch?.index ?? null,
      ...displayParams(params),
    });
  }

  get(id: string): JobRow | undefined {
    return this.#stmts.get.get(id);
  }

  /**
   * Claims the job `plan` picks among the runnable pending jobs (up to 64, in dispatch order:
   * priority, then position; with `fairShare`, each source's next jobs first) for one of the
   * free slots, and counts a pass on each job it was chosen over. One IMMEDIATE transaction:
   * select + UPDATE … RETURNING, so two claimers can never take the same job.
   */
  claimNext(slots: FreeSlot[], plan: (candidates: RankedJob[]) => ClaimChoice | null, opts: { fairShare?: boolean } = {}): ClaimedJob | null {
    return this.#write(() => {
      if (slots.length === 0) return null;
      const appTypes = [...new Set(slots.map((s) => s.appType))];
      const aliases = [...new Set(slots.map((s) => s.alias))];
      const where = `status = 'pending' AND run_after <= ? AND not_before <= ?
        AND app_type IN (${appTypes.map(() => '?').join(',')})
        AND (target_server_alias = 'auto' OR target_server_alias IN (${aliases.map(() => '?').join(',')}))`;
      // Fair share reads each source's first jobs, so a source deep in the queue is seen at all.
      const sql = opts.fairShare
        ? `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY priority, ${SHARE_KEY_SQL} ORDER BY position) AS share_rank
          FROM jobs WHERE ${where}) WHERE share_rank <= 16 ORDER BY priority DESC, share_rank, position LIMIT 64`
        : `SELECT * FROM jobs WHERE ${where} ORDER BY priority DESC, position ASC LIMIT 64`;
      const now = this.#clock.now();
      const tx = this.#db.transaction((): ClaimedJob | null => {
        const candidates = this.#db.prepare<unknown[], JobRow>(sql).all(now, now, ...appTypes, ...aliases);
        const choice = plan(candidates);
        if (!choice) return null;
        const claimed = this.#stmts.claim.get({
          alias: choice.alias, token: randomUUID(), now: new Date(now).toISOString(), id: choice.job.mobilesd_job_id,
        });
        if (claimed && choice.overtaken.length) {
          this.#db.prepare(`UPDATE jobs SET overtaken_count = overtaken_count + 1, overtaken_since = COALESCE(overtaken_since, ?)
            WHERE status = 'pending' AND mobilesd_job_id IN (${choice.overtaken.map(() => '?').join(',')})`).run(now, ...choice.overtaken);
        }
        return claimed ?? null;
      });
      return tx.immediate();
    });
  }

  setBackendTaskId(job: ClaimedJob, taskId: string): void {
    this.#stmts.setBackendTask.run(taskId, job.mobilesd_job_id, job.lease_token);
  }

  /**
   * Ends an attempt as completed (or cancelled with partial images) and records its
   * images in the same transaction. Returns false when the lease was lost (stale attempt):
   * then nothing is written.
   */
  finishWithImages(
    job: ClaimedJob,
    status: 'completed' | 'cancelled',
    images: ImageRecord[],
    details: Record<string, unknown> | null,
    error: string | null = null,
  ): boolean {
    return this.#write(() => {
      const now = isoAt(this.#clock);
      const tx = this.#db.transaction(() => {
        const changed = this.#stmts.finish.run({
          id: job.mobilesd_job_id, token: job.lease_token, status, now, error,
          details: details ? JSON.stringify(details) : null,
        }).changes;
        if (changed !== 1) return false;
        this.#gallery.insertForJob({
          job_id: job.mobilesd_job_id,
          server_alias: job.assigned_server_alias,
          app_type: job.app_type,
          checkpoint: job.checkpoint_name,
          positive_prompt: job.positive_prompt,
          created_at: now,
        }, images);
        return true;
      });
      return tx.immediate();
    });
  }

  fail(job: ClaimedJob, message: string, details: Record<string, unknown> | null = null): boolean {
    return this.#write(() => {
      return this.#stmts.finish.run({
        id: job.mobilesd_job_id, token: job.lease_token, status: 'failed', now: isoAt(this.#clock), error: message,
        details: details ? JSON.stringify(details) : null,
      }).changes === 1;
    });
  }

  /**
   * Gives a claimed job back to the queue: after a transient error (`runAfter` backoff) or
   * because its server turned out to be offline (`refundAttempt`: it never reached a GPU).
   */
  release(job: ClaimedJob, opts: {
    runAfter?: number; refundAttempt?: boolean; error?: string | null;
    /** Its server crashed or went offline during the attempt (counted toward quarantine). */
    crashed?: boolean;
    /** It ran out of memory on a GPU of this many bytes: only a bigger one may take it now. */
    oomVramBytes?: number;
  }): boolean {
    return this.#write(() => {
      return this.#stmts.release.run({
        id: job.mobilesd_job_id, token: job.lease_token, run_after: opts.runAfter ?? 0,
        refund: opts.refundAttempt ? 1 : 0, error: opts.error ?? null, now: isoAt(this.#clock),
        crashed: opts.crashed ? 1 : 0, oom_vram_bytes: opts.oomVramBytes ?? null,
      }).changes === 1;
    });
  }

  /**
   * Holds a claimed job whose attempts keep taking its server down, with the reason as its
   * message: it stays in line but is never dispatched again until someone releases it.
   */
  quarantine(job: ClaimedJob, reason: string): boolean {
    return this.#write(() => this.#stmts.quarantine.run({ id: job.mobilesd_job_id, token: job.lease_token, reason, now: isoAt(this.#clock) }).changes === 1);
  }

  /** Fails a pending job that no server can ever take (the message names the rule). */
  failPending(id: string, error: string): boolean {
    return this.#write(() => this.#stmts.failPending.run({ id, error, now: isoAt(this.#clock) }).changes === 1);
  }

  /**
   * Parks a claimed job in `downloading_resources` (a model it needs is downloading): the
   * lease and server are let go and the attempt is refunded. `params`, when given, replace
   * its generation params (the downloaded file's name filled in). `unpark` requeues it.
   */
  park(job: ClaimedJob, message: string, params?: Record<string, unknown>): boolean {
    return this.#write(() => {
      return this.#db.prepare(`UPDATE jobs SET status = 'downloading_resources', lease_token = NULL,
        assigned_server_alias = NULL, attempts = MAX(0, attempts - 1), error_message = @message, last_updated_timestamp = @now,
        generation_params_json = COALESCE(@params, generation_params_json), checkpoint_name = COALESCE(@checkpoint, checkpoint_name)
        WHERE mobilesd_job_id = @id AND lease_token = @token AND status = 'processing'`).run({
        id: job.mobilesd_job_id, token: job.lease_token, message, now: isoAt(this.#clock),
        params: params ? JSON.stringify(params) : null,
        checkpoint: params && typeof params.checkpoint_name === 'string' ? params.checkpoint_name : null,
      }).changes === 1;
    });
  }

  /** Replaces a claimed job's generation params (a before-run hook filled something in). */
  setParams(job: ClaimedJob, params: Record<string, unknown>): boolean {
    return this.#db.prepare(`UPDATE jobs SET generation_params_json = ?, checkpoint_name = COALESCE(?, checkpoint_name)
      WHERE mobilesd_job_id = ? AND lease_token = ?`).run(JSON.stringify(params),
      typeof params.checkpoint_name === 'string' ? params.checkpoint_name : null, job.mobilesd_job_id, job.lease_token).changes === 1;
  }

  /** A parked job goes back to pending (its download finished). */
  unpark(id: string): boolean {
    return this.#write(() => {
      return this.#db.prepare(`UPDATE jobs SET status = 'pending', run_after = 0, error_message = NULL, last_updated_timestamp = ?
        WHERE mobilesd_job_id = ? AND status = 'downloading_resources'`).run(isoAt(this.#clock), id).changes === 1;
    });
  }

  /** A parked job fails (its download failed or was cancelled). */
  failParked(id: string, message: string): boolean {
    return this.#write(() => {
      const now = isoAt(this.#clock);
      return this.#db.prepare(`UPDATE jobs SET status = 'failed', completion_timestamp = ?, last_updated_timestamp = ?, error_message = ?
        WHERE mobilesd_job_id = ? AND status = 'downloading_resources'`).run(now, now, message, id).changes === 1;
    });
  }

  parkedJobIds(): string[] {
    return this.#db.prepare<[], { id: string }>(`SELECT mobilesd_job_id AS id FROM jobs WHERE status = 'downloading_resources'`).all().map((r) => r.id);
  }

  /** Cancels a job that is not running; returns 'cancelled', 'running' (caller must interrupt) or 'finished'. */
  cancel(id: string): 'cancelled' | 'running' | 'finished' | 'not_found' {
    return this.#write(() => {
      const now = isoAt(this.#clock);
      return this.#db.transaction(() => {
        if (this.#stmts.cancelPending.run({ id, now }).changes === 1) return 'cancelled' as const;
        if (this.#stmts.requestCancel.run({ id, now }).changes === 1) return 'running' as const;
        return this.get(id) ? ('finished' as const) : ('not_found' as const);
      }).immediate();
    });
  }

  retry(id: string): boolean {
    return this.#write(() => this.#db.transaction(() => {
      const before = this.#stmts.get.get(id);
      const now = isoAt(this.#clock);
      if (this.#stmts.retry.run({ id, now }).changes !== 1) return false;
      // The next attempt overwrites the times and error: the ended attempt is kept in the history.
      if (before) this.#stmts.setHistory.run({ id, history: withEdit(before, retryEdit(before, now)) });
      return true;
    })());
  }

  /** A pending job becomes held: it keeps its place but is not dispatched. False when it was not pending. */
  hold(id: string): boolean {
    return this.#write(() => this.#stmts.hold.run({ id, now: isoAt(this.#clock) }).changes === 1);
  }

  /** A held job is pending again, in the place it kept. False when it was not held. */
  releaseHeld(id: string): boolean {
    return this.#write(() => this.#stmts.releaseHeld.run({ id, now: isoAt(this.#clock) }).changes === 1);
  }

  /**
   * Runs several changes as one IMMEDIATE transaction (a bulk action): all of them commit
   * or none. The store's own transactions nest inside as savepoints.
   */
  inTransaction<T>(change: () => T): T {
    return this.#write(() => this.#db.transaction(change).immediate());
  }

  /**
   * Puts waiting jobs at the head or the tail of the line, in the order given (the first
   * given runs first among them), as one move each would, without renumbering the others.
   */
  placeAtEnd(ids: readonly string[], end: 'top' | 'bottom'): void {
    if (ids.length === 0) return;
    const now = isoAt(this.#clock);
    const start = end === 'top'
      ? (this.#stmts.minPos.get()?.p ?? 1) - ids.length
      : (this.#stmts.maxPos.get()?.p ?? 0) + 1;
    ids.forEach((id, i) => this.#stmts.setPosition.run({ id, position: start + i, now }));
  }

  archive(id: string): boolean {
    return this.#write(() => {
      return this.#stmts.archive.run({ id, now: isoAt(this.#clock) }).changes === 1;
    });
  }

  clearFinished(): number {
    return this.#write(() => {
      return this.#stmts.clearFinished.run().changes;
    });
  }

  /**
   * Changes a job that has not started: params (and the display columns read from them),
   * target, priority and start time, with the edit appended to its history, in one UPDATE
   * that only matches a waiting (pending or held) job, so a job claimed meanwhile is left
   * exactly as it was. The position is kept: the job keeps its place unless its priority moves it.
   */
  edit(id: string, change: { params: GenerationParams; target: string; priority: number; notBefore: number; historyJson: string }): 'edited' | 'not_pending' | 'not_found' {
    const { prompt, checkpoint } = displayParams(change.params);
    const edited = this.#stmts.edit.run({
      id, params: JSON.stringify(change.params), prompt, checkpoint, target: change.target, priority: change.priority,
      not_before: change.notBefore, history: change.historyJson, now: isoAt(this.#clock),
    }).changes === 1;
    if (edited) return 'edited';
    return this.get(id) ? 'not_pending' : 'not_found';
  }

  setPriority(id: string, priority: number): boolean {
    return this.#stmts.setPriority.run({ id, priority, now: isoAt(this.#clock) }).changes === 1;
  }

  /**
   * Moves a pending job. Positions are REAL: "before X" takes the midpoint between X and
   * its predecessor, so a move touches one row.
   */
  reorder(id: string, target: { to: 'top' | 'bottom' } | { before: string } | { after: string }): 'ok' | 'not_found' | 'not_pending' | 'bad_anchor' {
    const now = isoAt(this.#clock);
    return this.#db.transaction(() => {
      const job = this.get(id);
      if (!job) return 'not_found' as const;
      if (!isWaitingStatus(job.status)) return 'not_pending' as const;
      let position: number;
      if ('to' in target) {
        position = target.to === 'top'
          ? (this.#stmts.minPos.get()?.p ?? 1) - 1
          : (this.#stmts.maxPos.get()?.p ?? 0) + 1;
      } else {
        const anchorId = 'before' in target ? target.before : target.after;
        const anchor = this.get(anchorId);
        if (!anchor || !isWaitingStatus(anchor.status) || anchorId === id) return 'bad_anchor' as const;
        const neighbour = 'before' in target
          ? this.#stmts.neighbourBefore.get(anchor.position)
          : this.#stmts.neighbourAfter.get(anchor.position);
        const other = neighbour && neighbour.position !== job.position
          ? neighbour.position
          : anchor.position + ('before' in target ? -1 : 1);
        position = (anchor.position + other) / 2;
        if (position === anchor.position || position === other) {
          this.#renumberPending();
          return this.reorder(id, target);
        }
      }
      this.#stmts.setPosition.run({ id, position, now });
      return 'ok' as const;
    }).immediate();
  }

  // Midpoints eventually run out of float precision; spread positions out again.
  #renumberPending(): void {
    const rows = this.#db.prepare<[], { mobilesd_job_id: string }>(`SELECT mobilesd_job_id FROM jobs WHERE status IN (${sqlList(WAITING_STATUSES)}) ORDER BY position`).all();
    const base = (this.#stmts.maxPos.get()?.p ?? 0) + 1;
    rows.forEach((row, i) => this.#stmts.setPosition.run({ id: row.mobilesd_job_id, position: base + i, now: isoAt(this.#clock) }));
  }

  /**
   * The queue list in display order: running, then pending in dispatch order, then finished
   * newest first. Each segment is read through its own index so a page stays fast with
   * 100k jobs in the table.
   */
  list(query: ListQuery): { rows: JobRow[]; total: number } {
    const wanted = new Set(query.statuses?.length ? query.statuses : JOB_STATUSES);
    const segments: { statuses: readonly JobStatus[]; order: string }[] = [
      { statuses: RUNNING_STATUSES, order: 'started_timestamp' },
      // Held jobs keep their place in line, so they are listed among the pending ones.
      { statuses: WAITING_STATUSES, order: 'priority DESC, position' },
      { statuses: FINISHED_STATUSES, order: 'completion_timestamp DESC' },
    ];
    const rows: JobRow[] = [];
    let total = 0;
    let skip = query.offset;
    for (const segment of segments) {
      const statuses = segment.statuses.filter((s) => wanted.has(s));
      if (!statuses.length) continue;
      const where = [`status IN (${statuses.map(() => '?').join(',')})`];
      const args: unknown[] = [...statuses];
      if (!query.includeArchived) where.push('archived = 0');
      if (query.appType) { where.push('app_type = ?'); args.push(query.appType); }
      if (query.sourceInfo !== undefined) { where.push('source_info = ?'); args.push(query.sourceInfo); }
      if (query.apiKeyId !== undefined) { where.push('api_key_id = ?'); args.push(query.apiKeyId); }
      if (query.search) {
        where.push(`(mobilesd_job_id = ? OR positive_prompt LIKE ? ESCAPE '\\')`);
        args.push(query.search, `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      }
      const clause = where.join(' AND ');
      const cachedCounts = !query.includeArchived && query.sourceInfo === undefined && query.apiKeyId === undefined && !query.search;
      const count = !cachedCounts
        ? this.#db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE ${clause}`).get(...args)!.n
        : statuses.reduce((sum, status) => sum + this.counts(query.appType)[status], 0);
      total += count;
      const room = query.limit - rows.length;
      // One key's jobs are few: find them by the key's index and sort them ('+' keeps SQLite
      // from walking the whole queue in order instead).
      const order = query.apiKeyId === undefined ? segment.order : segment.order.split(', ').map((term) => `+${term}`).join(', ');
      if (room > 0 && skip < count) {
        rows.push(...this.#db.prepare<unknown[], JobRow>(`SELECT * FROM jobs WHERE ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`)
          .all(...args, room, skip));
      }
      skip = Math.max(0, skip - count);
    }
    return { rows, total };
  }

  #groupedCounts() {
    this.#countsCache ??= this.#stmts.counts.all();
    return this.#countsCache;
  }

  counts(appType?: AppType): Record<JobStatus, number> {
    const out = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    for (const row of this.#groupedCounts()) if (!appType || row.app_type === appType) out[row.status] += row.n;
    return out;
  }

  /** 1-based position among pending jobs in dispatch order, or null when not pending. */
  queuePosition(job: JobRow): number | null {
    if (job.status !== 'pending') return null;
    return this.#pendingBetween(null, job) + 1;
  }

  /**
   * queuePosition for many jobs at once (a page of the queue list), by id; jobs that are not
   * pending are left out. The first pending job costs one count of the jobs ahead of it, each
   * next one a count of the jobs between it and the previous: a page costs what lies before
   * its last job, however many rows it has and whatever filter chose them.
   */
  queuePositions(rows: readonly JobRow[]): Map<string, number> {
    const pending = rows.filter((r) => r.status === 'pending')
      .sort((a, b) => b.priority - a.priority || a.position - b.position);
    const positions = new Map<string, number>();
    let previous: JobRow | null = null;
    let position = 0;
    for (const row of pending) {
      position += this.#pendingBetween(previous, row) + 1;
      positions.set(row.mobilesd_job_id, position);
      previous = row;
    }
    return positions;
  }

  /** Pending jobs strictly between `from` (null: the head of the queue) and `to` in dispatch order. */
  #pendingBetween(from: Pick<JobRow, 'priority' | 'position'> | null, to: Pick<JobRow, 'priority' | 'position'>): number {
    const s = this.#stmts;
    const samePriority = (priority: number, after: number, before: number) => s.pendingPositionBetween.get(priority, after, before)!.n;
    if (from === null) return s.pendingAbovePriority.get(to.priority)!.n + samePriority(to.priority, -Infinity, to.position);
    if (from.priority === to.priority) return samePriority(to.priority, from.position, to.position);
    return samePriority(from.priority, from.position, Infinity)
      + s.pendingPriorityBetween.get(to.priority, from.priority)!.n
      + samePriority(to.priority, -Infinity, to.position);
  }

  /** Whether a pending job that `alias` could run comes before `job` in dispatch order. */
  hasPendingAhead(job: JobRow, alias: string): boolean {
    return this.#stmts.pendingAhead.get({
      now: this.#clock.now(), app_type: job.app_type, alias, priority: job.priority, position: job.position,
    }) !== undefined;
  }

  activeJobsForKey(apiKeyId: string): number {
    return this.#stmts.pendingCount.get(apiKeyId)!.n;
  }

  /** The first `limit` pending jobs in dispatch order, and how many are pending in all (for the queue forecast). */
  pendingInOrder(limit: number): { rows: JobRow[]; total: number } {
    const rows = this.#db.prepare<[number], JobRow>(`SELECT * FROM jobs WHERE status = 'pending' ORDER BY priority DESC, position LIMIT ?`).all(limit);
    return { rows, total: rows.length < limit ? rows.length : this.counts().pending };
  }

  processingJobs(): JobRow[] {
    return this.#stmts.processing.all();
  }

  /** The earliest future run_after or not_before among pending jobs, so the dispatcher can wake then. */
  nextWakeAt(): number | null {
    const now = this.#clock.now();
    const times = [this.#stmts.nextRunAfter.get(now)?.t, this.#stmts.nextNotBefore.get(now)?.t].filter((t): t is number => typeof t === 'number');
    return times.length ? Math.min(...times) : null;
  }

  images(jobId: string): ImageRow[] {
    return this.#gallery.forJob(jobId);
  }

  /** Startup recovery for a job left processing by a dead process: requeue or fail after the max. */
  recoverInterrupted(job: JobRow): 'requeued' | 'failed' {
    return this.#write(() => {
      const now = isoAt(this.#clock);
      // A job the backend already accepted (ComfyUI prompt_id) keeps that id and its server,
      // so the next attempt reattaches to it instead of running it a second time. Following
      // the same prompt again is not a new attempt: the claim's count is given back.
      const reattaches = job.backend_task_id !== null && job.assigned_server_alias !== null;
      if (job.attempts >= job.max_attempts && !reattaches) {
        this.#db.prepare(`UPDATE jobs SET status = 'failed', lease_token = NULL, completion_timestamp = ?,
          last_updated_timestamp = ?, error_message = ? WHERE mobilesd_job_id = ? AND status = 'processing'`)
          .run(now, now, `Interrupted ${job.attempts} times (StableQueue stopped while it ran); giving up after ${job.max_attempts} attempts.`, job.mobilesd_job_id);
        return 'failed';
      }
      const cancelled = job.cancel_requested === 1;
      this.#db.prepare(`UPDATE jobs SET status = ?, lease_token = NULL,
        target_server_alias = CASE WHEN ? THEN assigned_server_alias ELSE target_server_alias END,
        attempts = MAX(0, attempts - ?),
        assigned_server_alias = NULL, last_updated_timestamp = ?, completion_timestamp = ?
        WHERE mobilesd_job_id = ? AND status = 'processing'`)
        .run(cancelled ? 'cancelled' : 'pending', reattaches ? 1 : 0, reattaches ? 1 : 0, now, cancelled ? now : null, job.mobilesd_job_id);
      return 'requeued';
    });
  }
}
