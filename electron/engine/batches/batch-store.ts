import type { BatchMode, ExpandedAxis } from '../../../shared/batches.ts';
import { FINISHED_STATUSES, type JobStatus } from '../../../shared/jobs.ts';
import type { Db } from '../db/connection.ts';
import type { ImageRow } from '../gallery/gallery-store.ts';
import type { JobRow } from '../queue/job-row.ts';

/** A batches table row as SQLite returns it. */
export interface BatchRow {
  id: string;
  name: string | null;
  created_at: string;
  mode: BatchMode;
  axes_json: string;
  request_json: string;
  job_count: number;
  target_server_alias: string;
  api_key_id: string | null;
  finished_at: string | null;
}

export type NewBatch = Omit<BatchRow, 'finished_at' | 'axes_json' | 'request_json'> & { axes: ExpandedAxis[]; request: unknown };

/** One job of a batch as the contact sheet needs it. */
export interface BatchCell {
  mobilesd_job_id: string;
  batch_index: number;
  status: JobStatus;
}

/**
 * Contact sheets are 'grid' images filed under the batch's first job, from this index up, so
 * they sit next to the batch's images and never collide with a job's own images. They carry
 * the batch's id (images.batch_id): they belong to the batch, not to that job.
 */
export const CONTACT_SHEET_FIRST_INDEX = 900;

const finishedList = FINISHED_STATUSES.map((s) => `'${s}'`).join(', ');

/** All SQL about batches; the jobs themselves are written by the job store, in the same transaction. */
export class BatchStore {
  readonly #db: Db;
  readonly #stmts;

  constructor(db: Db) {
    this.#db = db;
    this.#stmts = {
      insert: db.prepare(`INSERT INTO batches (id, name, created_at, mode, axes_json, request_json, job_count, target_server_alias, api_key_id)
        VALUES (@id, @name, @created_at, @mode, @axes_json, @request_json, @job_count, @target_server_alias, @api_key_id)`),
      get: db.prepare<[string], BatchRow>('SELECT * FROM batches WHERE id = ?'),
      page: db.prepare<[number, number], BatchRow>('SELECT * FROM batches ORDER BY created_at DESC, id LIMIT ? OFFSET ?'),
      total: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM batches'),
      counts: db.prepare<[string], { status: JobStatus; n: number }>('SELECT status, COUNT(*) AS n FROM jobs WHERE batch_id = ? GROUP BY status'),
      cells: db.prepare<[string], BatchCell>('SELECT mobilesd_job_id, batch_index, status FROM jobs WHERE batch_id = ? ORDER BY batch_index'),
      jobIds: db.prepare<[string], { id: string }>('SELECT mobilesd_job_id AS id FROM jobs WHERE batch_id = ? ORDER BY priority DESC, position'),
      firstJob: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE batch_id = ? ORDER BY batch_index LIMIT 1'),
      unfinishedLeft: db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM jobs WHERE batch_id = ? AND status NOT IN (${finishedList}) LIMIT 1`),
      // Batches every job of which has ended but that were never marked finished (the process stopped in between).
      endedUnmarked: db.prepare<[], { id: string }>(`SELECT b.id FROM batches b WHERE b.finished_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.batch_id = b.id AND j.status NOT IN (${finishedList}))`),
      markFinished: db.prepare<[string, string]>('UPDATE batches SET finished_at = ? WHERE id = ? AND finished_at IS NULL'),
      sheets: db.prepare<[string], ImageRow>('SELECT * FROM images WHERE batch_id = ? ORDER BY idx'),
      removeSheets: db.prepare<[string]>('DELETE FROM images WHERE batch_id = ?'),
    };
  }

  insert(batch: NewBatch): void {
    const { axes, request, ...row } = batch;
    this.#stmts.insert.run({ ...row, axes_json: JSON.stringify(axes), request_json: JSON.stringify(request) });
  }

  get(id: string): BatchRow | undefined {
    return this.#stmts.get.get(id);
  }

  page(limit: number, offset: number): { rows: BatchRow[]; total: number } {
    return { rows: this.#stmts.page.all(limit, offset), total: this.#stmts.total.get()!.n };
  }

  counts(id: string): Partial<Record<JobStatus, number>> {
    return Object.fromEntries(this.#stmts.counts.all(id).map((r) => [r.status, r.n]));
  }

  cells(id: string): BatchCell[] {
    return this.#stmts.cells.all(id);
  }

  /** The batch's jobs in dispatch order. */
  jobIds(id: string): string[] {
    return this.#stmts.jobIds.all(id).map((r) => r.id);
  }

  firstJob(id: string): JobRow | undefined {
    return this.#stmts.firstJob.get(id);
  }

  allEnded(id: string): boolean {
    return this.#stmts.unfinishedLeft.get(id) === undefined;
  }

  endedUnmarked(): string[] {
    return this.#stmts.endedUnmarked.all().map((r) => r.id);
  }

  /** The saved contact sheets of a batch. */
  sheets(batchId: string): ImageRow[] {
    return this.#stmts.sheets.all(batchId);
  }

  /**
   * Marks the batch finished with its new contact sheets, in one transaction: the old
   * sheets' rows go, the new ones come, and the finished mark (whose trigger writes the
   * batch.finished notification) lands with them. False when the batch was finished already
   * or one of its jobs runs again, so nothing is written.
   */
  finish(id: string, now: string, insertSheets: (() => void) | null): boolean {
    return this.#db.transaction(() => {
      if (!this.allEnded(id)) return false;
      if (insertSheets) {
        this.#stmts.removeSheets.run(id);
        insertSheets();
      }
      return this.#stmts.markFinished.run(now, id).changes === 1;
    }).immediate();
  }

  /** Runs `work` in one IMMEDIATE transaction (a batch row and its jobs are written together). */
  inTransaction<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }
}
