import { FINISHED_STATUSES, isWaitingStatus, type EditJobRequest, type GenerationParams } from '../../../shared/jobs.ts';
import { BULK_LIMITS, type BulkEdit, type BulkRequest, type BulkResponse } from '../../../shared/queue-bulk.ts';
import { DomainError } from '../domain-error.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { JobEvents } from './job-events.ts';
import type { JobRow } from './job-row.ts';
import type { JobService } from './job-service.ts';
import type { JobStore } from './job-store.ts';

/** A bulk request that cannot be run as sent (both or neither of ids/filter, a missing param, a filter matching too much). */
export class BulkActionError extends DomainError {}

/** What one job's part of a bulk action did: changed, or left alone for a reason. */
type Outcome = { changed: true; after?: 'interrupt' | 'interrupt_then_archive' } | { changed: false; reason: string };
const changed: Outcome = { changed: true };
const skip = (reason: string): Outcome => ({ changed: false, reason });

/** Dispatch order: higher priority first, then the line. */
const byDispatchOrder = (a: JobRow, b: JobRow) => b.priority - a.priority || a.position - b.position;

/** The generation params an `edit` action gives one job (only the fields it changes), or null when it changes none. */
export function bulkEditPatch(params: GenerationParams, edit: BulkEdit, randomSeed: () => number): Partial<GenerationParams> | null {
  const patch: Record<string, unknown> = {};
  if (edit.find !== undefined) {
    for (const field of ['positive_prompt', 'negative_prompt'] as const) {
      const text = params[field];
      if (typeof text === 'string' && text.includes(edit.find)) patch[field] = text.split(edit.find).join(edit.replace ?? '');
    }
  }
  for (const field of ['checkpoint_name', 'sampler_name', 'steps', 'width', 'height', 'cfg_scale'] as const) {
    if (edit[field] !== undefined) patch[field] = edit[field];
  }
  if (edit.seed_mode === 'random') patch.seed = -1;
  if (edit.seed_mode === 'fixed') {
    const current = typeof params.seed === 'number' ? params.seed : -1;
    patch.seed = edit.seed ?? (current >= 0 ? current : randomSeed());
  }
  for (const [field, value] of Object.entries(patch)) if (params[field] === value) delete patch[field];
  return Object.keys(patch).length ? patch : null;
}

/**
 * One action on many jobs in one transaction, answered with counts. Each job gets what the
 * single-job action would do to it, and the line ends as if they had been done by hand: a
 * priority change keeps positions, "move to top" puts the chosen jobs first in the order
 * they were in. A job the action does not fit is skipped and counted by reason; a running
 * job that is cancelled or deleted is interrupted after the transaction commits.
 */
export class BulkActions {
  readonly #jobs: JobStore;
  readonly #service: JobService;
  readonly #events: JobEvents;
  readonly #dispatcher: Dispatcher;

  constructor(deps: { jobs: JobStore; service: JobService; events: JobEvents; dispatcher: Dispatcher }) {
    this.#jobs = deps.jobs;
    this.#service = deps.service;
    this.#events = deps.events;
    this.#dispatcher = deps.dispatcher;
  }

  async run(request: BulkRequest, options: { apiKeyId: string | null }): Promise<BulkResponse> {
    const perJob = this.#perJob(request, options);
    const skipped: Record<string, number> = {};
    const count = (reason: string) => { skipped[reason] = (skipped[reason] ?? 0) + 1; };
    const changedIds: string[] = [];
    const interrupts: { id: string; archive: boolean }[] = [];

    const matched = this.#jobs.inTransaction(() => {
      const { rows, missing } = this.#matched(request);
      for (let i = 0; i < missing; i++) count('not_found');
      if (request.action === 'move_top' || request.action === 'move_bottom') {
        const waiting = rows.filter((r) => isWaitingStatus(r.status)).sort(byDispatchOrder);
        for (const row of rows) if (!isWaitingStatus(row.status)) count('not_waiting');
        this.#jobs.placeAtEnd(waiting.map((r) => r.mobilesd_job_id), request.action === 'move_top' ? 'top' : 'bottom');
        changedIds.push(...waiting.map((r) => r.mobilesd_job_id));
        return rows.length + missing;
      }
      for (const row of rows) {
        const outcome = perJob(row);
        if (!outcome.changed) { count(outcome.reason); continue; }
        changedIds.push(row.mobilesd_job_id);
        if (outcome.after) interrupts.push({ id: row.mobilesd_job_id, archive: outcome.after === 'interrupt_then_archive' });
      }
      return rows.length + missing;
    });

    const deleted = request.action === 'delete';
    const waitingForInterrupt = new Set(interrupts.map((i) => i.id));
    for (const id of changedIds) {
      if (waitingForInterrupt.has(id)) continue;
      if (deleted) this.#events.deleted(id); else this.#events.changed(id);
    }
    if (['move_top', 'move_bottom', 'set_priority', 'release'].includes(request.action)) void this.#dispatcher.requeueOutranked();
    await Promise.all(interrupts.map(async ({ id, archive }) => {
      await this.#dispatcher.cancelRunning(id);
      if (archive && this.#jobs.archive(id)) this.#events.deleted(id); else this.#events.changed(id);
    }));
    return { action: request.action, matched, changed: changedIds.length, skipped };
  }

  /** The jobs the request names or its filter chooses, in the order given (ids) or the list's order (filter). */
  #matched(request: BulkRequest): { rows: JobRow[]; missing: number } {
    if (request.ids) {
      const rows: JobRow[] = [];
      let missing = 0;
      for (const id of new Set(request.ids)) {
        const row = this.#jobs.get(id);
        if (row && row.archived === 0) rows.push(row); else missing++;
      }
      return { rows, missing };
    }
    const f = request.filter!;
    const { rows } = this.#jobs.list({
      statuses: f.status, appType: f.app_type, sourceInfo: f.source, apiKeyId: f.api_key_id, search: f.q?.trim() || undefined,
      limit: BULK_LIMITS.filterMatches + 1, offset: 0,
    });
    if (rows.length > BULK_LIMITS.filterMatches) {
      throw new BulkActionError(400, 'too_many_matches', `The filter matches more than ${BULK_LIMITS.filterMatches} jobs; narrow it (status, source, words of the prompt) and run the action in parts. Nothing was changed.`);
    }
    return { rows, missing: 0 };
  }

  /** The action for one job, checked up front so a bad request fails before anything is touched. */
  #perJob(request: BulkRequest, options: { apiKeyId: string | null }): (row: JobRow) => Outcome {
    if ((request.ids === undefined) === (request.filter === undefined)) {
      throw new BulkActionError(400, 'validation_error', 'Send either ids (the jobs to act on) or filter (the queue list filters), not both and not neither.');
    }
    const params = request.params ?? {};
    const need = <T>(value: T | undefined, name: string): T => {
      if (value === undefined) throw new BulkActionError(400, 'validation_error', `The ${request.action} action needs params.${name}.`);
      return value;
    };
    const edit = (row: JobRow, change: EditJobRequest): Outcome => {
      if (!isWaitingStatus(row.status)) return skip('not_waiting');
      try {
        return this.#service.applyEdit(row.mobilesd_job_id, change, options) === 'unchanged' ? skip('unchanged') : changed;
      } catch (error) {
        if (error instanceof DomainError) return skip(error.code);
        throw error;
      }
    };
    switch (request.action) {
      case 'cancel':
        return (row) => {
          const outcome = this.#jobs.cancel(row.mobilesd_job_id);
          if (outcome === 'cancelled') return changed;
          return outcome === 'running' ? { changed: true, after: 'interrupt' } : skip('finished');
        };
      case 'retry':
        return (row) => (this.#jobs.retry(row.mobilesd_job_id) ? changed : skip('not_retryable'));
      case 'delete':
        return (row) => {
          if (!FINISHED_STATUSES.includes(row.status) && this.#jobs.cancel(row.mobilesd_job_id) === 'running') {
            return { changed: true, after: 'interrupt_then_archive' };
          }
          return this.#jobs.archive(row.mobilesd_job_id) ? changed : skip('not_found');
        };
      case 'hold':
        return (row) => (this.#jobs.hold(row.mobilesd_job_id) ? changed : skip(row.status === 'held' ? 'already_held' : 'not_pending'));
      case 'release':
        return (row) => (this.#jobs.releaseHeld(row.mobilesd_job_id) ? changed : skip(row.status === 'pending' ? 'already_pending' : 'not_held'));
      case 'set_priority': {
        const priority = need(params.priority, 'priority');
        return (row) => edit(row, { priority });
      }
      case 'set_server': {
        const target = need(params.target_server_alias, 'target_server_alias');
        return (row) => edit(row, { target_server_alias: target });
      }
      case 'edit': {
        const changes = need(params.edit, 'edit');
        if (changes.replace !== undefined && changes.find === undefined) {
          throw new BulkActionError(400, 'validation_error', 'params.edit.replace needs params.edit.find: the text to replace.');
        }
        return (row) => {
          if (!isWaitingStatus(row.status)) return skip('not_waiting');
          const patch = bulkEditPatch(JSON.parse(row.generation_params_json) as GenerationParams, changes, randomSeed);
          return patch ? edit(row, { generation_params: patch }) : skip('unchanged');
        };
      }
      case 'move_top':
      case 'move_bottom':
        return () => changed; // placed all at once in run()
    }
  }
}

function randomSeed(): number {
  return Math.floor(Math.random() * 4_294_967_295);
}
