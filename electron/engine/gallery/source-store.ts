import type { Db } from '../db/connection.ts';

/** A gallery source row: a folder indexed in place. */
export interface SourceRow {
  id: number;
  path: string;
  label: string;
  created_at: string;
}

/** The SQL of gallery sources (their images are rows of `images` with `source_id`). */
export class SourceStore {
  readonly #stmts;

  constructor(db: Db) {
    this.#stmts = {
      all: db.prepare<[], SourceRow>('SELECT * FROM gallery_sources ORDER BY id'),
      find: db.prepare<[number], SourceRow>('SELECT * FROM gallery_sources WHERE id = ?'),
      byPath: db.prepare<[string], SourceRow>('SELECT * FROM gallery_sources WHERE path = ?'),
      insert: db.prepare<[string, string, string], SourceRow>('INSERT INTO gallery_sources (path, label, created_at) VALUES (?, ?, ?) RETURNING *'),
      remove: db.prepare<[number]>('DELETE FROM gallery_sources WHERE id = ?'),
    };
  }

  all(): SourceRow[] {
    return this.#stmts.all.all();
  }

  find(id: number): SourceRow | undefined {
    return this.#stmts.find.get(id);
  }

  byPath(folder: string): SourceRow | undefined {
    return this.#stmts.byPath.get(folder);
  }

  add(folder: string, label: string, at: string): SourceRow {
    return this.#stmts.insert.get(folder, label, at)!;
  }

  /** Removes the source and, by cascade, its image rows; never a file. */
  remove(id: number): boolean {
    return this.#stmts.remove.run(id).changes === 1;
  }
}
