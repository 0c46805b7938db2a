import type { Db } from '../db/connection.ts';
import type { ImageKind } from '../../../shared/images.ts';
import type { ImageRecord } from '../results/image-store.ts';

/**
 * All SQL about images: the gallery's rows, owned by the jobs that made them. A row is
 * written only together with its job's completion (inside the job store's transaction,
 * after the file is on disk), and removed before its file, so a crash never leaves a row
 * without a file.
 */

/** What a job tells about the images it made (copied so the gallery can filter without a join). */
export interface ImageOwner {
  job_id: string;
  server_alias: string | null;
  app_type: string;
  checkpoint: string | null;
  positive_prompt: string;
  created_at: string;
}

/** An images table row as SQLite returns it. */
export interface ImageRow extends ImageRecord, ImageOwner {
  id: number;
  kind: ImageKind;
  /** The last part of file_path (a generated column): the MobileSD API's file-name key. */
  file_name: string;
}

export interface GalleryQuery {
  server?: string;
  checkpoint?: string;
  jobId?: string;
  /** Which kinds of image; results only when not said (grids and detected maps stay out of the gallery). */
  kinds?: readonly ImageKind[];
  /** Text the prompt contains. */
  text?: string;
  /** Inclusive days, YYYY-MM-DD. */
  from?: string;
  to?: string;
  /** Keyset position: rows strictly after it in (created_at DESC, id DESC). */
  after?: { createdAt: string; id: number };
  limit: number;
}

export class GalleryStore {
  readonly #db: Db;
  readonly #stmts;

  constructor(db: Db) {
    this.#db = db;
    this.#stmts = {
      find: db.prepare<[number], ImageRow>('SELECT * FROM images WHERE id = ?'),
      byFileName: db.prepare<[string], ImageRow>('SELECT * FROM images WHERE file_name = ? ORDER BY id LIMIT 1'),
      forJob: db.prepare<[string], ImageRow>('SELECT * FROM images WHERE job_id = ? ORDER BY idx'),
      jobHasImages: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM images WHERE job_id = ? LIMIT 1'),
      insert: db.prepare(`INSERT INTO images (job_id, idx, file_path, mime, bytes, sha256, width, height, seed,
        infotext, server_alias, app_type, checkpoint, positive_prompt, created_at, kind)
        VALUES (@job_id, @idx, @file_path, @mime, @bytes, @sha256, @width, @height, @seed, @infotext, @server_alias,
        @app_type, @checkpoint, @positive_prompt, @created_at, @kind)
        ON CONFLICT (job_id, idx) DO NOTHING`),
      remove: db.prepare<[number]>('DELETE FROM images WHERE id = ?'),
      servers: db.prepare<[], { v: string }>('SELECT DISTINCT server_alias AS v FROM images WHERE server_alias IS NOT NULL ORDER BY v'),
      checkpoints: db.prepare<[], { v: string }>('SELECT DISTINCT checkpoint AS v FROM images WHERE checkpoint IS NOT NULL ORDER BY v'),
    };
  }

  find(id: number): ImageRow | undefined {
    return this.#stmts.find.get(id);
  }

  /** The image saved under this file name. The name is only compared, never used as a path. */
  findByFileName(fileName: string): ImageRow | undefined {
    return this.#stmts.byFileName.get(fileName);
  }

  forJob(jobId: string): ImageRow[] {
    return this.#stmts.forJob.all(jobId);
  }

  jobHasImages(jobId: string): boolean {
    return this.#stmts.jobHasImages.get(jobId) !== undefined;
  }

  /** Records a job's images; call it inside the transaction that completes the job. */
  insertForJob(owner: ImageOwner, images: readonly ImageRecord[]): void {
    for (const image of images) this.#stmts.insert.run({ ...image, kind: image.kind ?? 'result', ...owner });
  }

  remove(id: number): boolean {
    return this.#stmts.remove.run(id).changes === 1;
  }

  /** One page, newest first, and how many images match the filter in all. */
  page(query: GalleryQuery): { rows: ImageRow[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.server) { where.push('server_alias = ?'); args.push(query.server); }
    if (query.checkpoint) { where.push('checkpoint = ?'); args.push(query.checkpoint); }
    if (query.jobId) { where.push('job_id = ?'); args.push(query.jobId); }
    const kinds = query.kinds?.length ? query.kinds : ['result'];
    where.push(`kind IN (${kinds.map(() => '?').join(', ')})`);
    args.push(...kinds);
    if (query.text) { where.push(`positive_prompt LIKE ? ESCAPE '\\'`); args.push(`%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`); }
    if (query.from) { where.push('created_at >= ?'); args.push(`${query.from}T00:00:00.000Z`); }
    if (query.to) { where.push('created_at <= ?'); args.push(`${query.to}T23:59:59.999Z`); }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = this.#db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM images ${filter}`).get(...args)!.n;
    const pageWhere = [...where];
    const pageArgs = [...args];
    if (query.after) {
      pageWhere.push('(created_at < ? OR (created_at = ? AND id < ?))');
      pageArgs.push(query.after.createdAt, query.after.createdAt, query.after.id);
    }
    const rows = this.#db.prepare<unknown[], ImageRow>(`SELECT * FROM images ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`).all(...pageArgs, query.limit);
    return { rows, total };
  }

  /** The values the gallery can be filtered by. */
  facets(): { servers: string[]; checkpoints: string[] } {
    return {
      servers: this.#stmts.servers.all().map((r) => r.v),
      checkpoints: this.#stmts.checkpoints.all().map((r) => r.v),
    };
  }
}
