import { isoAt, type Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { ModelRow } from '../library/model-row.ts';
import { nameForm, namesInParams, paramsAfterMove } from './model-name-match.ts';

export interface ModelUser {
  kind: 'job' | 'download';
  id: string;
  status: string;
}

/**
 * Who uses a library file right now (a job running or waiting for downloads that names it,
 * a download writing to its path), and the rewrite that keeps queued jobs naming the file
 * after it moved. All SQL that reads or changes jobs on behalf of file management.
 */
export class ModelUsers {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Running jobs and unfinished downloads that use the file; empty when it may change. */
  busy(row: ModelRow): ModelUser[] {
    const users: ModelUser[] = [];
    const jobs = this.#db.prepare<[], { id: string; status: string; params: string }>(`SELECT mobilesd_job_id AS id, status,
      generation_params_json AS params FROM jobs WHERE status IN ('processing','downloading_resources')`).all();
    for (const job of jobs) {
      const names = namesInParams(JSON.parse(job.params) as Record<string, unknown>, row.kind);
      if (names.some((n) => nameForm(n, row) !== null)) users.push({ kind: 'job', id: job.id, status: job.status });
    }
    const downloads = this.#db.prepare<[string], { id: string; status: string }>(`SELECT id, status FROM downloads
      WHERE status IN ('queued','active','paused','verifying') AND target_path = ?`).all(row.abs_path);
    for (const d of downloads) users.push({ kind: 'download', id: d.id, status: d.status });
    return users;
  }

  /**
   * Pending jobs that name the file are rewritten to its new name (same form, hash suffix
   * kept), in the caller's transaction. Returns their ids.
   */
  rewritePending(before: ModelRow, after: Pick<ModelRow, 'rel_path' | 'ext'>): string[] {
    const pending = this.#db.prepare<[], { id: string; params: string }>(`SELECT mobilesd_job_id AS id, generation_params_json AS params
      FROM jobs WHERE status = 'pending'`).all();
    const update = this.#db.prepare(`UPDATE jobs SET generation_params_json = ?, checkpoint_name = COALESCE(?, checkpoint_name),
      last_updated_timestamp = ? WHERE mobilesd_job_id = ? AND status = 'pending'`);
    const now = isoAt(this.#clock);
    const changed: string[] = [];
    for (const job of pending) {
      const next = paramsAfterMove(JSON.parse(job.params) as Record<string, unknown>, before.kind, before, after);
      if (!next) continue;
      const checkpoint = before.kind === 'checkpoint' && typeof next.checkpoint_name === 'string' ? next.checkpoint_name : null;
      if (update.run(JSON.stringify(next), checkpoint, now, job.id).changes === 1) changed.push(job.id);
    }
    return changed;
  }
}
