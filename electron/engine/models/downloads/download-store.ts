import { randomUUID } from 'node:crypto';
import type { DownloadStatus, ModelKind } from '../../../../shared/models.ts';
import { isoAt, type Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { DownloadRow } from './download-row.ts';

/** What a new download needs: the row's descriptive fields, with the waiting jobs as a list. */
export type NewDownload = Pick<DownloadRow,
  'kind' | 'model_id' | 'version_id' | 'file_id' | 'model_name' | 'version_name' | 'base_model' | 'file_name'
  | 'target_path' | 'part_path' | 'expected_size' | 'expected_sha256' | 'version_json'> & { job_ids: string[] };

/** All SQL about the persistent download queue. */
export class DownloadStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  insert(d: NewDownload): DownloadRow {
    const id = randomUUID();
    const now = isoAt(this.#clock);
    this.#db.prepare(`INSERT INTO downloads (id, status, kind, model_id, version_id, file_id, model_name, version_name, base_model,
      file_name, target_path, part_path, expected_size, expected_sha256, version_json, job_ids, position, created_at, updated_at)
      VALUES (@id, 'queued', @kind, @model_id, @version_id, @file_id, @model_name, @version_name, @base_model, @file_name,
      @target_path, @part_path, @expected_size, @expected_sha256, @version_json, @job_ids,
      (SELECT COALESCE(MAX(position), 0) + 1 FROM downloads), @now, @now)`)
      .run({ ...d, id, job_ids: JSON.stringify(d.job_ids), now });
    return this.get(id)!;
  }

  get(id: string): DownloadRow | undefined {
    return this.#db.prepare<[string], DownloadRow>('SELECT * FROM downloads WHERE id = ?').get(id);
  }

  list(): DownloadRow[] {
    return this.#db.prepare<[], DownloadRow>(`SELECT * FROM downloads ORDER BY
      CASE status WHEN 'active' THEN 0 WHEN 'verifying' THEN 0 WHEN 'queued' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END, position DESC`).all();
  }

  /**
   * The unfinished download of the same file (a failed one counts: it is retried from its
   * `.part`), or of any other file to the same target path.
   */
  findOpen(versionId: number, fileId: number, targetPath: string): DownloadRow | undefined {
    return this.#db.prepare<[number, number, string], DownloadRow>(`SELECT * FROM downloads WHERE
      (status IN ('queued','active','paused','verifying','failed') AND version_id = ? AND file_id = ?)
      OR (status IN ('queued','active','paused','verifying') AND target_path = ?)
      ORDER BY CASE status WHEN 'failed' THEN 1 ELSE 0 END, position DESC LIMIT 1`).get(versionId, fileId, targetPath);
  }

  nextQueued(): DownloadRow | undefined {
    return this.#db.prepare<[], DownloadRow>(`SELECT * FROM downloads WHERE status = 'queued' ORDER BY position LIMIT 1`).get();
  }

  /**
   * Moves a waiting (queued or paused) download within the queue: to the top, the bottom,
   * or before/after another waiting one. The waiting rows keep the set of positions they
   * had, handed out in the new order, in one transaction. False when an id is not waiting.
   */
  reorder(id: string, target: { to: 'top' | 'bottom' } | { before: string } | { after: string }): boolean {
    return this.#db.transaction(() => {
      const waiting = this.#db.prepare<[], { id: string; position: number }>(`SELECT id, position FROM downloads
        WHERE status IN ('queued','paused') ORDER BY position`).all();
      const from = waiting.findIndex((w) => w.id === id);
      if (from < 0) return false;
      const order = waiting.map((w) => w.id);
      order.splice(from, 1);
      let at: number;
      if ('to' in target) at = target.to === 'top' ? 0 : order.length;
      else {
        const anchor = order.indexOf('before' in target ? target.before : target.after);
        if (anchor < 0) return false;
        at = 'before' in target ? anchor : anchor + 1;
      }
      order.splice(at, 0, id);
      const positions = waiting.map((w) => w.position);
      const set = this.#db.prepare('UPDATE downloads SET position = ?, updated_at = ? WHERE id = ?');
      const now = isoAt(this.#clock);
      order.forEach((rowId, i) => set.run(positions[i], now, rowId));
      return true;
    }).immediate();
  }

  /** The waiting downloads in the order they will start. */
  waitingOrder(): string[] {
    return this.#db.prepare<[], { id: string }>(`SELECT id FROM downloads WHERE status IN ('queued','paused') ORDER BY position`).all().map((r) => r.id);
  }

  /** After a crash, transfers that were running are queued again (they resume from the `.part`). */
  requeueInterrupted(): number {
    return this.#db.prepare(`UPDATE downloads SET status = 'queued', updated_at = ? WHERE status IN ('active','verifying')`).run(isoAt(this.#clock)).changes;
  }

  setStatus(id: string, status: DownloadStatus, fields: { error_code?: string | null; error_message?: string | null } = {}): void {
    const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
    this.#db.prepare(`UPDATE downloads SET status = @status, error_code = @code, error_message = @message, updated_at = @now,
      completed_at = CASE WHEN @finished THEN @now ELSE NULL END WHERE id = @id`)
      .run({ id, status, code: fields.error_code ?? null, message: fields.error_message ?? null, now: isoAt(this.#clock), finished: finished ? 1 : 0 });
  }

  /** Moves a download from one status to another only if it is still in `from` (pause/cancel races). */
  transition(id: string, from: DownloadStatus[], to: DownloadStatus): boolean {
    return this.#db.prepare(`UPDATE downloads SET status = ?, updated_at = ?, error_code = NULL, error_message = NULL
      WHERE id = ? AND status IN (${from.map(() => '?').join(',')})`).run(to, isoAt(this.#clock), id, ...from).changes === 1;
  }

  setSignedUrl(id: string, url: string | null, expires: number | null): void {
    this.#db.prepare('UPDATE downloads SET signed_url = ?, signed_url_expires = ?, updated_at = ? WHERE id = ?').run(url, expires, isoAt(this.#clock), id);
  }

  setBytes(id: string, bytes: number): void {
    this.#db.prepare('UPDATE downloads SET bytes_done = ?, updated_at = ? WHERE id = ?').run(bytes, isoAt(this.#clock), id);
  }

  setExpectedSize(id: string, size: number): void {
    this.#db.prepare('UPDATE downloads SET expected_size = ? WHERE id = ?').run(size, id);
  }

  bumpAttempts(id: string): void {
    this.#db.prepare('UPDATE downloads SET attempts = attempts + 1 WHERE id = ?').run(id);
  }

  setLibraryModel(id: string, modelId: number): void {
    this.#db.prepare('UPDATE downloads SET library_model_id = ? WHERE id = ?').run(modelId, id);
  }

  addJob(id: string, jobId: string): void {
    const row = this.get(id);
    if (!row) return;
    const jobs = new Set(JSON.parse(row.job_ids) as string[]);
    jobs.add(jobId);
    this.#db.prepare('UPDATE downloads SET job_ids = ? WHERE id = ?').run(JSON.stringify([...jobs]), id);
  }

  /** Jobs waiting on any unfinished download. */
  waitingJobIds(): Set<string> {
    const rows = this.#db.prepare<[], { job_ids: string }>(`SELECT job_ids FROM downloads WHERE status IN ('queued','active','paused','verifying')`).all();
    return new Set(rows.flatMap((r) => JSON.parse(r.job_ids) as string[]));
  }

  delete(id: string): boolean {
    return this.#db.prepare('DELETE FROM downloads WHERE id = ?').run(id).changes === 1;
  }

  clearFinished(): string[] {
    const ids = this.#db.prepare<[], { id: string }>(`SELECT id FROM downloads WHERE status IN ('completed','failed','cancelled')`).all().map((r) => r.id);
    this.#db.prepare(`DELETE FROM downloads WHERE status IN ('completed','failed','cancelled')`).run();
    return ids;
  }

  countActive(): number {
    return this.#db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM downloads WHERE status IN ('active','verifying')`).get()!.n;
  }
}
