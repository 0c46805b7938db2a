import type { ModelKind } from '../../../../shared/models.ts';
import { isoAt, type Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { ModelRow } from './model-row.ts';

export interface ModelListQuery {
  kind?: ModelKind;
  baseModel?: string;
  q?: string;
  civitai?: 'found' | 'not_found' | 'unknown';
  updates?: boolean;
  /** Only models the user starred. */
  favourite?: boolean;
  /** Only models in this collection. */
  collection?: number;
  sort?: 'name' | 'size' | 'modified' | 'base_model';
  limit: number;
  offset: number;
}

/** What a scan found about one file (besides its hashes). */
export interface ScannedFields {
  kind: ModelKind;
  root: string;
  rel_path: string;
  abs_path: string;
  name: string;
  ext: string;
  size: number;
  mtime_ms: number;
  base_model: string;
  base_model_label: string | null;
  base_model_source: string | null;
  header_json: string | null;
  preview_file: string | null;
  has_user_json: number;
  has_civitai_info: number;
  sidecar_sig: string;
}

export interface ScanEntry {
  fields: ScannedFields;
  civitai: CivitaiFields | null;
}

export interface CivitaiFields {
  civitai_status: ModelRow['civitai_status'];
  civitai_model_id: number | null;
  civitai_version_id: number | null;
  civitai_model_name: string | null;
  civitai_version_name: string | null;
  trained_words: string | null;
}

/** All SQL about the `models` table. */
export class ModelStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #stmts;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#stmts = {
      get: db.prepare<[number], ModelRow>('SELECT * FROM models WHERE id = ?'),
      byPath: db.prepare<[string], ModelRow>('SELECT * FROM models WHERE abs_path = ?'),
      fileIndex: db.prepare<[], Pick<ModelRow, 'id' | 'abs_path' | 'size' | 'mtime_ms' | 'sidecar_sig'>>('SELECT id, abs_path, size, mtime_ms, sidecar_sig FROM models'),
      insert: db.prepare(`INSERT INTO models (kind, root, rel_path, abs_path, name, ext, size, mtime_ms, base_model, base_model_label,
        base_model_source, header_json, preview_file, has_user_json, has_civitai_info, sidecar_sig, created_at, updated_at)
        VALUES (@kind, @root, @rel_path, @abs_path, @name, @ext, @size, @mtime_ms, @base_model, @base_model_label,
        @base_model_source, @header_json, @preview_file, @has_user_json, @has_civitai_info, @sidecar_sig, @now, @now)`),
      updateFile: db.prepare(`UPDATE models SET kind = @kind, root = @root, rel_path = @rel_path, name = @name, ext = @ext,
        size = @size, mtime_ms = @mtime_ms, base_model = @base_model, base_model_label = @base_model_label,
        base_model_source = @base_model_source, header_json = @header_json, preview_file = @preview_file,
        has_user_json = @has_user_json, has_civitai_info = @has_civitai_info, sidecar_sig = @sidecar_sig,
        sha256 = NULL, autov3 = NULL, hash_error = NULL, hashed_at = NULL, updated_at = @now WHERE abs_path = @abs_path`),
      updateSidecars: db.prepare(`UPDATE models SET preview_file = @preview_file, has_user_json = @has_user_json,
        has_civitai_info = @has_civitai_info, sidecar_sig = @sidecar_sig, base_model = @base_model,
        base_model_label = @base_model_label, base_model_source = @base_model_source, updated_at = @now WHERE abs_path = @abs_path`),
      setCivitai: db.prepare(`UPDATE models SET civitai_status = @civitai_status, civitai_model_id = @civitai_model_id,
        civitai_version_id = @civitai_version_id, civitai_model_name = @civitai_model_name,
        civitai_version_name = @civitai_version_name, trained_words = @trained_words, civitai_checked_at = @checked,
        updated_at = @now WHERE id = @id`),
      setCivitaiByPath: db.prepare(`UPDATE models SET civitai_status = @civitai_status, civitai_model_id = @civitai_model_id,
        civitai_version_id = @civitai_version_id, civitai_model_name = @civitai_model_name,
        civitai_version_name = @civitai_version_name, trained_words = @trained_words, civitai_checked_at = @checked,
        updated_at = @now WHERE abs_path = @abs_path`),
      setSha: db.prepare('UPDATE models SET sha256 = ?, hashed_at = ?, updated_at = ? WHERE id = ? AND size = ? AND mtime_ms = ?'),
      setAutoV3: db.prepare('UPDATE models SET autov3 = ?, updated_at = ? WHERE id = ? AND size = ? AND mtime_ms = ?'),
      setHashError: db.prepare('UPDATE models SET hash_error = ?, updated_at = ? WHERE id = ?'),
      setBase: db.prepare('UPDATE models SET base_model = ?, base_model_label = ?, base_model_source = ?, updated_at = ? WHERE id = ?'),
      setPreview: db.prepare('UPDATE models SET preview_file = ?, updated_at = ? WHERE id = ?'),
      setFlags: db.prepare('UPDATE models SET has_user_json = ?, has_civitai_info = ?, updated_at = ? WHERE id = ?'),
      setUpdate: db.prepare('UPDATE models SET latest_version_id = ?, update_available = ?, updated_at = ? WHERE id = ?'),
      delete: db.prepare<[number]>('DELETE FROM models WHERE id = ?'),
      bySha: db.prepare<[string], ModelRow>('SELECT * FROM models WHERE sha256 = ? ORDER BY id LIMIT 1'),
      byVersion: db.prepare<[number], ModelRow>('SELECT * FROM models WHERE civitai_version_id = ? ORDER BY id'),
      needingHash: db.prepare<[], ModelRow>(`SELECT * FROM models WHERE hash_error IS NULL AND (sha256 IS NULL OR (ext = '.safetensors' AND autov3 IS NULL)) ORDER BY id`),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM models'),
    };
  }

  get(id: number): ModelRow | undefined {
    return this.#stmts.get.get(id);
  }

  byPath(absPath: string): ModelRow | undefined {
    return this.#stmts.byPath.get(absPath);
  }

  /** Path → (id, size, mtime, sidecar signature): the hash cache's keys, in one query. */
  fileIndex(): Map<string, Pick<ModelRow, 'id' | 'abs_path' | 'size' | 'mtime_ms' | 'sidecar_sig'>> {
    return new Map(this.#stmts.fileIndex.all().map((r) => [r.abs_path, r]));
  }

  /**
   * Applies one scan in a single transaction (one fsync however many files): inserts,
   * changed files, sidecar changes with the Civitai link they record, removals.
   */
  applyScan(changes: { inserted: ScanEntry[]; changed: ScanEntry[]; sidecars: ScanEntry[]; removed: number[] }): void {
    const now = isoAt(this.#clock);
    const checked = this.#clock.now();
    this.#db.transaction(() => {
      for (const { fields } of changes.inserted) this.#stmts.insert.run({ ...fields, now });
      for (const { fields } of changes.changed) this.#stmts.updateFile.run({ ...fields, now });
      for (const { fields } of changes.sidecars) {
        this.#stmts.updateSidecars.run({
          abs_path: fields.abs_path, preview_file: fields.preview_file, has_user_json: fields.has_user_json,
          has_civitai_info: fields.has_civitai_info, sidecar_sig: fields.sidecar_sig, base_model: fields.base_model,
          base_model_label: fields.base_model_label, base_model_source: fields.base_model_source, now,
        });
      }
      for (const entry of [...changes.inserted, ...changes.changed, ...changes.sidecars]) {
        if (entry.civitai) this.#stmts.setCivitaiByPath.run({ ...entry.civitai, abs_path: entry.fields.abs_path, checked, now });
      }
      for (const id of changes.removed) this.#stmts.delete.run(id);
    }).immediate();
  }

  /** Upserts one file (after a download) and returns its row. */
  upsertFile(fields: ScannedFields): ModelRow {
    const existing = this.byPath(fields.abs_path);
    const now = isoAt(this.#clock);
    if (existing) this.#stmts.updateFile.run({ ...fields, now });
    else this.#stmts.insert.run({ ...fields, now });
    return this.byPath(fields.abs_path)!;
  }

  /** Records a hash only if the file is still the one that was hashed (same size and mtime). */
  setSha256(row: Pick<ModelRow, 'id' | 'size' | 'mtime_ms'>, sha256: string): boolean {
    return this.#stmts.setSha.run(sha256.toLowerCase(), this.#clock.now(), isoAt(this.#clock), row.id, row.size, row.mtime_ms).changes === 1;
  }

  /** Many hash results in one transaction (one fsync), each fenced like setSha256. */
  setHashes(results: { row: Pick<ModelRow, 'id' | 'size' | 'mtime_ms'>; sha256: string | null; autov3: string | null }[]): void {
    if (!results.length) return;
    const now = isoAt(this.#clock);
    const at = this.#clock.now();
    this.#db.transaction(() => {
      for (const { row, sha256, autov3 } of results) {
        if (sha256) this.#stmts.setSha.run(sha256.toLowerCase(), at, now, row.id, row.size, row.mtime_ms);
        if (autov3 !== null) this.#stmts.setAutoV3.run(autov3.toLowerCase(), now, row.id, row.size, row.mtime_ms);
      }
    }).immediate();
  }

  setHashError(id: number, message: string): void {
    this.#stmts.setHashError.run(message.slice(0, 500), isoAt(this.#clock), id);
  }

  setCivitai(id: number, fields: CivitaiFields): void {
    this.#stmts.setCivitai.run({ ...fields, id, checked: this.#clock.now(), now: isoAt(this.#clock) });
  }

  setBaseModel(id: number, family: string, label: string | null, source: string | null): void {
    this.#stmts.setBase.run(family, label, source, isoAt(this.#clock), id);
  }

  setPreview(id: number, file: string | null): void {
    this.#stmts.setPreview.run(file, isoAt(this.#clock), id);
  }

  setSidecarFlags(id: number, hasUserJson: boolean, hasCivitaiInfo: boolean): void {
    this.#stmts.setFlags.run(hasUserJson ? 1 : 0, hasCivitaiInfo ? 1 : 0, isoAt(this.#clock), id);
  }

  setUpdate(id: number, latestVersionId: number | null, available: boolean): void {
    this.#stmts.setUpdate.run(latestVersionId, available ? 1 : 0, isoAt(this.#clock), id);
  }

  delete(id: number): void {
    this.#stmts.delete.run(id);
  }

  /** The same row (id, hashes, Civitai link kept) at a new path, after its files moved. */
  relocate(id: number, place: Pick<ModelRow, 'rel_path' | 'abs_path' | 'name' | 'preview_file'>): void {
    this.#db.prepare(`UPDATE models SET rel_path = @rel_path, abs_path = @abs_path, name = @name, preview_file = @preview_file,
      updated_at = @now WHERE id = @id`).run({ ...place, id, now: isoAt(this.#clock) });
  }

  /** Puts back a row taken out earlier (trash undo), with its old id unless a new file took it. */
  restoreRow(row: ModelRow): ModelRow {
    const columns = new Set(this.#db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'models\')').all().map((c) => c.name));
    const taken = this.get(row.id) !== undefined;
    const values: Record<string, unknown> = { ...row, updated_at: isoAt(this.#clock) };
    const names = Object.keys(values).filter((k) => columns.has(k) && !(taken && k === 'id'));
    const info = this.#db.prepare(`INSERT INTO models (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`)
      .run(Object.fromEntries(names.map((n) => [n, values[n]])));
    return this.get(Number(info.lastInsertRowid))!;
  }

  /** Files whose SHA256 another file in the library shares, grouped by hash. */
  sameHashRows(): ModelRow[] {
    return this.#db.prepare<[], ModelRow>(`SELECT * FROM models WHERE sha256 IN
      (SELECT sha256 FROM models WHERE sha256 IS NOT NULL GROUP BY sha256 HAVING COUNT(*) > 1) ORDER BY sha256, rel_path`).all();
  }

  /** Files of Civitai models present in more than one version. */
  multiVersionRows(): ModelRow[] {
    return this.#db.prepare<[], ModelRow>(`SELECT * FROM models WHERE civitai_model_id IN
      (SELECT civitai_model_id FROM models WHERE civitai_model_id IS NOT NULL GROUP BY civitai_model_id
       HAVING COUNT(DISTINCT civitai_version_id) > 1) ORDER BY civitai_model_id, civitai_version_id DESC`).all();
  }

  /** Files of a Civitai model (any version). */
  byCivitaiModel(modelId: number): ModelRow[] {
    return this.#db.prepare<[number], ModelRow>('SELECT * FROM models WHERE civitai_model_id = ? ORDER BY civitai_version_id DESC').all(modelId);
  }

  bySha256(sha256: string): ModelRow | undefined {
    return this.#stmts.bySha.get(sha256.toLowerCase());
  }

  byVersion(versionId: number): ModelRow[] {
    return this.#stmts.byVersion.all(versionId);
  }

  needingHash(): ModelRow[] {
    return this.#stmts.needingHash.all();
  }

  count(): number {
    return this.#stmts.count.get()!.n;
  }

  all(kind?: ModelKind): ModelRow[] {
    return kind
      ? this.#db.prepare<[string], ModelRow>('SELECT * FROM models WHERE kind = ? ORDER BY rel_path COLLATE NOCASE').all(kind)
      : this.#db.prepare<[], ModelRow>('SELECT * FROM models ORDER BY kind, rel_path COLLATE NOCASE').all();
  }

  #where(query: Omit<ModelListQuery, 'limit' | 'offset' | 'sort'>, skip: 'kind' | 'base' | null = null): { clause: string; args: unknown[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.kind && skip !== 'kind') { where.push('kind = ?'); args.push(query.kind); }
    if (query.baseModel && skip !== 'base') { where.push('base_model = ?'); args.push(query.baseModel); }
    if (query.civitai) { where.push('civitai_status = ?'); args.push(query.civitai); }
    if (query.updates) where.push('update_available = 1');
    if (query.favourite) where.push('EXISTS (SELECT 1 FROM model_favourites f WHERE f.kind = models.kind AND f.rel_path = models.rel_path)');
    if (query.collection !== undefined) {
      where.push('EXISTS (SELECT 1 FROM model_collection_items i WHERE i.collection_id = ? AND i.kind = models.kind AND i.rel_path = models.rel_path)');
      args.push(query.collection);
    }
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(`(rel_path LIKE ? ESCAPE '\\' OR civitai_model_name LIKE ? ESCAPE '\\' OR trained_words LIKE ? ESCAPE '\\' OR sha256 LIKE ? ESCAPE '\\')`);
      args.push(like, like, like, `${query.q.toLowerCase().replace(/[\\%_]/g, '')}%`);
    }
    return { clause: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
  }

  list(query: ModelListQuery): { rows: ModelRow[]; total: number; kinds: Record<string, number>; baseModels: Record<string, number> } {
    const { clause, args } = this.#where(query);
    const order = {
      name: 'name COLLATE NOCASE, id',
      size: 'size DESC, id',
      modified: 'mtime_ms DESC, id',
      base_model: 'base_model, name COLLATE NOCASE, id',
    }[query.sort ?? 'name'];
    const total = this.#db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM models ${clause}`).get(...args)!.n;
    const rows = this.#db.prepare<unknown[], ModelRow>(`SELECT * FROM models ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...args, query.limit, query.offset);
    const facet = (column: 'kind' | 'base_model', skip: 'kind' | 'base') => {
      const w = this.#where(query, skip);
      return Object.fromEntries(this.#db.prepare<unknown[], { k: string; n: number }>(`SELECT ${column} AS k, COUNT(*) AS n FROM models ${w.clause} GROUP BY ${column}`).all(...w.args).map((r) => [r.k, r.n]));
    };
    return { rows, total, kinds: facet('kind', 'kind'), baseModels: facet('base_model', 'base') };
  }
}
