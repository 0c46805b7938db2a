import type { Db } from '../db/connection.ts';
import type { GalleryFacets, GalleryFilter, GallerySort, ImageKind, ImageLora, ImagePatch } from '../../../shared/images.ts';
import type { ImageRecord } from '../results/image-store.ts';
import { checkpointKey } from './checkpoint-name.ts';
import { filterSql } from './gallery-filter.ts';
import { afterSql, keyColumns, orderBy, orderSql, type SqlOrder } from './gallery-order.ts';
import { readA1111Infotext } from './metadata/a1111-infotext.ts';
import { readJobParams } from './metadata/from-job-params.ts';
import type { ImageMetadata } from './metadata/image-metadata.ts';
import { UnchangedCache } from './unchanged-cache.ts';

/**
 * All SQL about images: the gallery's rows. A job's rows are written only together with
 * its job's completion (inside the job store's transaction, after the file is on disk),
 * and removed before their file, so a crash never leaves a row without a file. Rows of a
 * gallery source (a folder indexed in place) are written by its indexer.
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

export type ImageState = 'visible' | 'trash' | 'hidden';

/** An images table row as SQLite returns it. */
export interface ImageRow extends ImageRecord, Omit<ImageOwner, 'job_id'> {
  id: number;
  job_id: string | null;
  kind: ImageKind;
  /** The last part of file_path (a generated column): the MobileSD API's file-name key. */
  file_name: string;
  /** The gallery source whose folder holds the file (file_path is relative to it); null for StableQueue's own. */
  source_id: number | null;
  /** Set on a batch's contact sheet: the batch it belongs to (it is filed under the batch's first job). */
  batch_id: string | null;
  file_mtime_ms: number | null;
  negative_prompt: string | null;
  sampler: string | null;
  scheduler: string | null;
  steps: number | null;
  cfg_scale: number | null;
  checkpoint_hash: string | null;
  checkpoint_key: string | null;
  settings_json: string | null;
  rating: number;
  favourite: 0 | 1;
  note: string | null;
  state: ImageState;
  deleted_at: string | null;
  trash_file: string | null;
}

/** A file of a gallery source, read and ready for its row. */
export interface IndexedImage {
  source_id: number;
  /** Relative to the source's folder, with forward slashes. */
  file_path: string;
  mime: string;
  bytes: number;
  file_mtime_ms: number;
  created_at: string;
  meta: ImageMetadata;
}

export interface GalleryQuery extends GalleryFilter {
  sort?: GallerySort;
  random_seed?: number;
  /** Keyset position: the sort key values of the last row of the previous page. */
  after?: unknown[];
  limit: number;
}

/** Decorations a page's rows need: their LoRAs and collections. */
export interface ImageExtras {
  loras: Map<number, ImageLora[]>;
  collections: Map<number, number[]>;
}

const METADATA_COLUMNS = `negative_prompt = @negative_prompt, sampler = @sampler, scheduler = @scheduler, steps = @steps,
  cfg_scale = @cfg_scale, checkpoint_hash = @checkpoint_hash, checkpoint_key = @checkpoint_key, settings_json = @settings_json`;

function metadataValues(meta: ImageMetadata) {
  return {
    negative_prompt: meta.negative_prompt, sampler: meta.sampler, scheduler: meta.scheduler, steps: meta.steps,
    cfg_scale: meta.cfg_scale, checkpoint_hash: meta.checkpoint_hash, checkpoint_key: checkpointKey(meta.checkpoint),
    settings_json: Object.keys(meta.extra).length ? JSON.stringify(meta.extra) : null,
  };
}

/** The filter part of a query: what its count and facets depend on. */
function filterKey(query: GalleryFilter & Partial<GalleryQuery>): GalleryFilter {
  const { sort: _sort, random_seed: _seed, after: _after, limit: _limit, ...filter } = query;
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '').sort(([a], [b]) => a.localeCompare(b)));
}

export class GalleryStore {
  readonly #db: Db;
  readonly #stmts;
  readonly #counts: UnchangedCache<number>;
  readonly #facets: UnchangedCache<GalleryFacets>;
  /** A text query's matching image ids, for the walk plan of its pages. */
  readonly #textMatches: UnchangedCache<Set<number>>;

  constructor(db: Db) {
    this.#db = db;
    this.#counts = new UnchangedCache(db);
    this.#facets = new UnchangedCache(db, 50);
    this.#textMatches = new UnchangedCache(db, 8);
    this.#stmts = {
      find: db.prepare<[number], ImageRow>('SELECT * FROM images WHERE id = ?'),
      byFileName: db.prepare<[string], ImageRow>(`SELECT * FROM images WHERE file_name = ? AND state = 'visible' ORDER BY source_id IS NOT NULL, id LIMIT 1`),
      // A job's own images: a batch's contact sheet filed under it belongs to the batch.
      forJob: db.prepare<[string], ImageRow>('SELECT * FROM images WHERE job_id = ? AND batch_id IS NULL ORDER BY idx'),
      jobHasImages: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM images WHERE job_id = ? AND batch_id IS NULL LIMIT 1'),
      jobParams: db.prepare<[string], { p: string }>('SELECT generation_params_json AS p FROM jobs WHERE mobilesd_job_id = ?'),
      insert: db.prepare(`INSERT INTO images (job_id, idx, file_path, mime, bytes, sha256, width, height, seed,
        infotext, server_alias, app_type, checkpoint, positive_prompt, created_at, kind, batch_id)
        VALUES (@job_id, @idx, @file_path, @mime, @bytes, @sha256, @width, @height, @seed, @infotext, @server_alias,
        @app_type, @checkpoint, @positive_prompt, @created_at, @kind, @batch_id)
        ON CONFLICT (job_id, idx) DO NOTHING`),
      // settings_json is at least '{}' once read, so a row with nothing to read is not read again.
      setMetadata: db.prepare(`UPDATE images SET ${METADATA_COLUMNS.replace('settings_json = @settings_json', "settings_json = coalesce(@settings_json, '{}')")} WHERE id = @id`),
      upsertIndexed: db.prepare<Record<string, unknown>, { id: number }>(`INSERT INTO images (source_id, job_id, idx, file_path, mime, bytes,
        sha256, width, height, seed, infotext, server_alias, app_type, checkpoint, positive_prompt, created_at, file_mtime_ms,
        negative_prompt, sampler, scheduler, steps, cfg_scale, checkpoint_hash, checkpoint_key, settings_json)
        VALUES (@source_id, NULL, 0, @file_path, @mime, @bytes, '', @width, @height, @seed, @infotext, NULL, @app_type,
        @checkpoint, @positive_prompt, @created_at, @file_mtime_ms, @negative_prompt, @sampler, @scheduler, @steps, @cfg_scale,
        @checkpoint_hash, @checkpoint_key, @settings_json)
        ON CONFLICT (source_id, file_path) WHERE source_id IS NOT NULL DO UPDATE SET mime = excluded.mime, bytes = excluded.bytes,
        width = excluded.width, height = excluded.height, seed = excluded.seed, infotext = excluded.infotext, app_type = excluded.app_type,
        checkpoint = excluded.checkpoint, positive_prompt = excluded.positive_prompt, created_at = excluded.created_at,
        file_mtime_ms = excluded.file_mtime_ms, negative_prompt = excluded.negative_prompt, sampler = excluded.sampler,
        scheduler = excluded.scheduler, steps = excluded.steps, cfg_scale = excluded.cfg_scale, checkpoint_hash = excluded.checkpoint_hash,
        checkpoint_key = excluded.checkpoint_key, settings_json = excluded.settings_json
        RETURNING id`),
      clearLoras: db.prepare<[number]>('DELETE FROM image_loras WHERE image_id = ?'),
      addLora: db.prepare<[number, string, number]>('INSERT OR IGNORE INTO image_loras (image_id, name, weight) VALUES (?, ?, ?)'),
      sourceFiles: db.prepare<[number], { id: number; file_path: string; file_mtime_ms: number | null; bytes: number; state: ImageState }>(
        'SELECT id, file_path, file_mtime_ms, bytes, state FROM images WHERE source_id = ?'),
      sourceFile: db.prepare<[number, string], ImageRow>('SELECT * FROM images WHERE source_id = ? AND file_path = ?'),
      remove: db.prepare<[number]>('DELETE FROM images WHERE id = ?'),
      needsMetadata: db.prepare<[number], ImageRow>(`SELECT * FROM images WHERE job_id IS NOT NULL AND settings_json IS NULL AND id > ? ORDER BY id LIMIT 500`),
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

  /**
   * Records a job's images; call it inside the transaction that completes the job. The
   * search fields come from each image's infotext, else from the job's own params.
   */
  insertForJob(owner: ImageOwner, images: readonly ImageRecord[]): void {
    let params: Record<string, unknown> | null = null;
    for (const image of images) {
      const info = this.#stmts.insert.run({ ...image, kind: image.kind ?? 'result', batch_id: image.batch_id ?? null, ...owner });
      if (info.changes !== 1) continue;
      params ??= this.#jobParams(owner.job_id);
      this.#writeMetadata(Number(info.lastInsertRowid), image.infotext ? readA1111Infotext(image.infotext) : readJobParams(params));
    }
  }

  #jobParams(jobId: string): Record<string, unknown> {
    try {
      const parsed: unknown = JSON.parse(this.#stmts.jobParams.get(jobId)?.p ?? '{}');
      return parsed && typeof parsed === 'object' ? parsed as Record<string, unknown> : {};
    } catch {
      return {};
    }
  }

  #writeMetadata(id: number, meta: ImageMetadata): void {
    this.#stmts.setMetadata.run({ id, ...metadataValues(meta) });
    this.#stmts.clearLoras.run(id);
    for (const lora of meta.loras) this.#stmts.addLora.run(id, lora.name, lora.weight);
  }

  /**
   * Fills the search fields of job images written before the gallery read them (one
   * batch per call, after `afterId`); returns the last id done, or null when none is left.
   */
  backfillJobImages(afterId: number): number | null {
    const rows = this.#stmts.needsMetadata.all(afterId);
    if (!rows.length) return null;
    this.#db.transaction(() => {
      const params = new Map<string, Record<string, unknown>>();
      for (const row of rows) {
        if (!params.has(row.job_id!)) params.set(row.job_id!, this.#jobParams(row.job_id!));
        const meta = row.infotext ? readA1111Infotext(row.infotext) : readJobParams(params.get(row.job_id!)!);
        this.#writeMetadata(row.id, meta);
      }
    }).immediate();
    return rows[rows.length - 1].id;
  }

  /**
   * Writes a batch of a source's files in one transaction; returns their ids in order.
   * The commit skips its fsync (synchronous=NORMAL for this transaction alone; WAL keeps
   * the database consistent, and the next FULL commit makes these rows durable too): rows
   * read from files on disk are rebuilt by the next scan if a power cut loses them, and an
   * fsync per batch was a large part of indexing a folder.
   */
  upsertIndexed(images: readonly IndexedImage[]): number[] {
    if (this.#db.inTransaction) return this.#upsertIndexed(images);
    this.#db.pragma('synchronous = NORMAL');
    try {
      return this.#upsertIndexed(images);
    } finally {
      this.#db.pragma('synchronous = FULL');
    }
  }

  #upsertIndexed(images: readonly IndexedImage[]): number[] {
    return this.#db.transaction(() => images.map((image) => {
      const { meta } = image;
      const id = this.#stmts.upsertIndexed.get({
        source_id: image.source_id, file_path: image.file_path, mime: image.mime, bytes: image.bytes, width: meta.width,
        height: meta.height, seed: meta.seed, infotext: meta.infotext, app_type: meta.tool, checkpoint: meta.checkpoint,
        positive_prompt: meta.positive_prompt, created_at: image.created_at, file_mtime_ms: image.file_mtime_ms,
        ...metadataValues(meta),
      })!.id;
      this.#stmts.clearLoras.run(id);
      for (const lora of meta.loras) this.#stmts.addLora.run(id, lora.name, lora.weight);
      return id;
    })).immediate();
  }

  /** What the index knows of a source's files, for a rescan to skip the unchanged ones. */
  sourceFiles(sourceId: number): Map<string, { id: number; mtime: number | null; bytes: number; state: ImageState }> {
    const out = new Map<string, { id: number; mtime: number | null; bytes: number; state: ImageState }>();
    for (const row of this.#stmts.sourceFiles.all(sourceId)) out.set(row.file_path, { id: row.id, mtime: row.file_mtime_ms, bytes: row.bytes, state: row.state });
    return out;
  }

  sourceFile(sourceId: number, filePath: string): ImageRow | undefined {
    return this.#stmts.sourceFile.get(sourceId, filePath);
  }

  remove(id: number): boolean {
    return this.#stmts.remove.run(id).changes === 1;
  }

  removeMany(ids: readonly number[]): void {
    this.#db.transaction(() => {
      for (const id of ids) this.#stmts.remove.run(id);
    }).immediate();
  }

  /**
   * One page in the asked order, and how many images match the filter in all. Without
   * text it is one walk of an index in that order. With a text query there are two plans,
   * and the kept counts pick the one that reads fewer rows:
   * - read every match from the full-text index, join each to its row through the
   *   covering `images_filter` index and sort them (a narrow word: few matches);
   * - walk the filtered images in the asked order and keep those among the text's matches,
   *   until the page is full (a common word or a broad prefix, where the page is met long
   *   before all matches are read). The text's matches are read once, as a set of ids kept
   *   while the gallery is unchanged, so every page of the search reuses it.
   * The count comes with the first page (a window over the matches) and is kept while the
   * gallery is unchanged, so the following pages do not count again.
   */
  page(query: GalleryQuery): { rows: (ImageRow & Record<`k${number}`, unknown>)[]; total: number } {
    const { where, args, match } = filterSql(query, { ftsJoin: true });
    const totalKey = JSON.stringify(filterKey(query));
    const order = orderSql(query.sort, query.random_seed);
    const known = match ? this.#counts.peek(totalKey) : undefined;
    const walk = match !== undefined && known !== undefined ? this.#walkPlan(query, match, known) : null;
    const from = match ? 'images_fts CROSS JOIN images INDEXED BY images_filter ON images.id = images_fts.rowid' : 'images';
    const matchWhere = match ? ['images_fts MATCH ?', ...where] : where;
    const matchArgs = match ? [match, ...args] : args;
    const windowed = match !== undefined && !query.after && known === undefined;
    let keys: ({ id: number; total?: number } & Record<`k${number}`, unknown>)[];
    if (walk) keys = this.#walkMatches(where, args, order, query, walk);
    else {
      const after = query.after ? { where: [afterSql(order)], args: query.after } : { where: [], args: [] };
      // The page's ids first, from the indexes alone; then only those rows are read whole.
      keys = this.#db.prepare<unknown[], { id: number; total?: number } & Record<`k${number}`, unknown>>(`SELECT id, ${keyColumns(order)}
        ${windowed ? ', COUNT(*) OVER () AS total' : ''} FROM ${from}
        WHERE ${[...matchWhere, ...after.where].join(' AND ')} ORDER BY ${orderBy(order)} LIMIT ?`).all(...matchArgs, ...after.args, query.limit);
    }
    const total = this.#counts.get(totalKey, windowed ? () => keys[0]?.total ?? 0 : () => this.#db.prepare<unknown[], { n: number }>(
      `SELECT COUNT(*) AS n FROM ${from} WHERE ${matchWhere.join(' AND ')}`).get(...matchArgs)!.n);
    if (!keys.length) return { rows: [], total };
    const byId = new Map(this.#db.prepare<unknown[], ImageRow>(`SELECT * FROM images WHERE id IN (${keys.map(() => '?').join(', ')})`)
      .all(...keys.map((k) => k.id)).map((row) => [row.id, row]));
    const rows = keys.flatMap(({ total: _total, ...k }) => {
      const row = byId.get(k.id);
      return row ? [{ ...row, ...k }] : [];
    });
    return { rows, total };
  }

  /**
   * Whether a page of a text search is cheaper walked in the asked order than read from all
   * the text's matches: the walk meets `limit × filtered / matching` images on average, the
   * other plan reads every text match. Null when reading the matches is cheaper; else how
   * many images the walk is expected to meet, and the text's matches.
   */
  #walkPlan(query: GalleryQuery, match: string, matching: number): { expected: number; texts: Set<number> } | null {
    if (matching === 0) return null;
    const { q: _q, ...filterOnly } = filterKey(query);
    const filtered = this.#counts.get(JSON.stringify(filterOnly), () => {
      const { where, args } = filterSql(filterOnly);
      return this.#db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM images WHERE ${where.join(' AND ')}`).get(...args)!.n;
    });
    const expected = Math.ceil((query.limit * filtered) / matching);
    const textMatches = this.#textMatches.peek(match)?.size
      ?? this.#counts.get(`text:${match}`, () => this.#db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM images_fts WHERE images_fts MATCH ?').get(match)!.n);
    if (expected >= textMatches) return null;
    const texts = this.#textMatches.get(match, () => new Set(this.#db.prepare<[string], number>(
      'SELECT rowid FROM images_fts WHERE images_fts MATCH ?').pluck().all(match)));
    return { expected, texts };
  }

  /** The walk plan: the filtered images in the asked order, in growing chunks, kept when they match the text. */
  #walkMatches(where: string[], args: unknown[], order: SqlOrder, query: GalleryQuery, plan: { expected: number; texts: Set<number> }) {
    type Key = { id: number } & Record<`k${number}`, unknown>;
    const select = (after: boolean) => this.#db.prepare<unknown[], Key>(`SELECT id, ${keyColumns(order)} FROM images
      WHERE ${[...where, ...(after ? [afterSql(order)] : [])].join(' AND ')} ORDER BY ${orderBy(order)} LIMIT ?`);
    const found: Key[] = [];
    let after = query.after;
    // A little more than expected, so most pages take one chunk; doubled while the matches are sparser here.
    let chunk = Math.max(64, Math.ceil(plan.expected * 1.5));
    for (;;) {
      const rows = after ? select(true).all(...args, ...after, chunk) : select(false).all(...args, chunk);
      for (const row of rows) {
        if (!plan.texts.has(row.id)) continue;
        found.push(row);
        if (found.length === query.limit) return found;
      }
      if (rows.length < chunk) return found;
      const last = rows[rows.length - 1] as Record<string, unknown>;
      after = order.key.map((_, i) => last[`k${i}`]);
      chunk = Math.min(chunk * 2, 16_384);
    }
  }

  /** The ids every image matching the filter has (bulk actions on "all matching"). */
  matchingIds(filter: GalleryFilter, limit: number): number[] {
    const { where, args } = filterSql(filter);
    return this.#db.prepare<unknown[], { id: number }>(`SELECT id FROM images WHERE ${where.join(' AND ')} LIMIT ?`).all(...args, limit).map((r) => r.id);
  }

  /** The LoRAs and collections of the given images. */
  extras(ids: readonly number[]): ImageExtras {
    const loras = new Map<number, ImageLora[]>();
    const collections = new Map<number, number[]>();
    if (!ids.length) return { loras, collections };
    const marks = ids.map(() => '?').join(', ');
    for (const r of this.#db.prepare<unknown[], { image_id: number; name: string; weight: number }>(
      `SELECT image_id, name, weight FROM image_loras WHERE image_id IN (${marks})`).all(...ids)) {
      const list = loras.get(r.image_id) ?? [];
      list.push({ name: r.name, weight: r.weight });
      loras.set(r.image_id, list);
    }
    for (const r of this.#db.prepare<unknown[], { image_id: number; collection_id: number }>(
      `SELECT image_id, collection_id FROM gallery_collection_images WHERE image_id IN (${marks}) ORDER BY collection_id`).all(...ids)) {
      const list = collections.get(r.image_id) ?? [];
      list.push(r.collection_id);
      collections.set(r.image_id, list);
    }
    return { loras, collections };
  }

  /**
   * How many matching images have each value of each filter. A dimension's counts leave
   * out that dimension's own filter, so picking one LoRA still shows the others' counts.
   * Each count walks an index ordered by its dimension (`images_by_*`), so it needs no
   * sort; with a text query it runs over the query's matches only. The answer is kept
   * while the gallery is unchanged.
   */
  facets(filter: GalleryFilter): GalleryFacets {
    return this.#facets.get(JSON.stringify(filterKey(filter)), () => this.#countFacets(filter));
  }

  #countFacets(filter: GalleryFilter): GalleryFacets {
    const count = (skip: keyof GalleryFilter, select: string, group: string, extraWhere?: string, join = '') => {
      const { where, args, match } = filterSql(filter, { skip, ftsJoin: true });
      // With a checkpoint chosen, its index holds every other facet's column: its images are counted from it, rather
      // than by walking a facet's own index and testing each image's checkpoint (SQLite cannot tell which is fewer).
      const images = filter.checkpoint && skip !== 'checkpoint' ? 'images INDEXED BY images_by_checkpoint' : 'images';
      const from = match ? `images_fts CROSS JOIN images INDEXED BY images_filter ON images.id = images_fts.rowid${join}` : `${images}${join}`;
      const all = [...(match ? ['images_fts MATCH ?'] : []), ...where, ...(extraWhere ? [extraWhere] : [])];
      return this.#db.prepare<unknown[], { value: string; count: number }>(`SELECT ${select}, COUNT(*) AS count FROM ${from}
        WHERE ${all.join(' AND ')} GROUP BY ${group} ORDER BY count DESC, value LIMIT 500`).all(...(match ? [match] : []), ...args);
    };
    const sources = count('source', `CASE WHEN source_id IS NULL THEN 'stablequeue' ELSE CAST(source_id AS TEXT) END AS value`, 'source_id');
    const labels = new Map(this.#db.prepare<[], { id: number; label: string }>('SELECT id, label FROM gallery_sources').all().map((s) => [String(s.id), s.label]));
    return {
      checkpoints: count('checkpoint', 'checkpoint_key AS value', 'checkpoint_key', 'checkpoint_key IS NOT NULL'),
      loras: this.#loraFacet(filter) ?? count('lora', 'image_loras.name AS value', 'image_loras.name', undefined, ' JOIN image_loras ON image_loras.image_id = images.id'),
      samplers: count('sampler', 'sampler AS value', 'sampler', 'sampler IS NOT NULL'),
      sizes: count('size', `width || 'x' || height AS value`, 'width, height', 'width IS NOT NULL AND height IS NOT NULL'),
      servers: count('server', 'server_alias AS value', 'server_alias', 'server_alias IS NOT NULL'),
      sources: sources.map((s) => ({ value: s.value, count: s.count, label: s.value === 'stablequeue' ? 'StableQueue' : labels.get(s.value) ?? s.value })),
      ratings: count('rating_min', 'CAST(rating AS TEXT) AS value', 'rating'),
    };
  }

  /**
   * The LoRA counts of the whole gallery (no filter but the kind): every LoRA's uses,
   * counted in the order of its index, less those of the few images the gallery does not
   * show (trash, hidden, other kinds). Joining each of 100,000 uses to its image cost
   * hundreds of milliseconds. Null when a filter is set: then the join is over its matches.
   */
  #loraFacet(filter: GalleryFilter): GalleryFacets['loras'] | null {
    const { where, args, match } = filterSql(filter, { skip: 'lora', ftsJoin: true });
    if (match || where.length !== 2) return null;
    const counts = new Map(this.#db.prepare<[], { value: string; count: number }>(
      'SELECT name AS value, COUNT(*) AS count FROM image_loras GROUP BY name').all().map((r) => [r.value, r.count]));
    for (const hidden of this.#db.prepare<unknown[], { value: string; count: number }>(`SELECT name AS value, COUNT(*) AS count FROM image_loras
      WHERE image_id IN (SELECT id FROM images WHERE NOT (${where.join(' AND ')})) GROUP BY name`).all(...args)) {
      counts.set(hidden.value, (counts.get(hidden.value) ?? 0) - hidden.count);
    }
    return [...counts].filter(([, count]) => count > 0).map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).slice(0, 500);
  }

  /** Rating, favourite and note; false when no visible image has the id. */
  patch(id: number, patch: ImagePatch): boolean {
    const sets: string[] = [];
    const args: unknown[] = [];
    if (patch.rating !== undefined) { sets.push('rating = ?'); args.push(patch.rating); }
    if (patch.favourite !== undefined) { sets.push('favourite = ?'); args.push(patch.favourite ? 1 : 0); }
    if (patch.note !== undefined) { sets.push('note = ?'); args.push(patch.note?.trim() ? patch.note : null); }
    if (!sets.length) return this.find(id) !== undefined;
    return this.#db.prepare(`UPDATE images SET ${sets.join(', ')} WHERE id = ? AND state = 'visible'`).run(...args, id).changes === 1;
  }

  /** The same change on many images; returns how many rows changed. */
  patchMany(ids: readonly number[], patch: ImagePatch): number {
    let changed = 0;
    this.#db.transaction(() => {
      for (const id of ids) if (this.patch(id, patch)) changed++;
    }).immediate();
    return changed;
  }

  /** Puts an image in the trash (or hides an outside file for good: state 'hidden'). */
  setState(id: number, state: ImageState, deletedAt: string | null, trashFile: string | null): void {
    this.#db.prepare('UPDATE images SET state = ?, deleted_at = ?, trash_file = ? WHERE id = ?').run(state, deletedAt, trashFile, id);
  }

  /** Images in the trash, most recently deleted first. */
  trash(limit: number): { rows: ImageRow[]; total: number } {
    const total = this.#db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM images WHERE state = 'trash'`).get()!.n;
    const rows = this.#db.prepare<[number], ImageRow>(`SELECT * FROM images WHERE state = 'trash' ORDER BY deleted_at DESC, id DESC LIMIT ?`).all(limit);
    return { rows, total };
  }

  /** Trash entries deleted before the given time: due for purging. */
  trashedBefore(iso: string): ImageRow[] {
    return this.#db.prepare<[string], ImageRow>(`SELECT * FROM images WHERE state = 'trash' AND deleted_at < ? ORDER BY deleted_at LIMIT 1000`).all(iso);
  }
}
