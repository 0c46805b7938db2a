import type { ModelCollection } from '../../../../shared/model-collections.ts';
import type { ModelView } from '../../../../shared/models.ts';
import { ApiError } from '../../api/errors.ts';
import { isoAt, type Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { ModelRow } from './model-row.ts';

type Place = Pick<ModelRow, 'kind' | 'rel_path'>;

/**
 * What the user marked on library models: favourites and collections. Marks follow the
 * file's place in the library, so they survive the trash and a rescan; `relocate` carries
 * them along when a file is renamed or moved.
 */
export class ModelMarks {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  setFavourite(model: Place, favourite: boolean): void {
    if (favourite) {
      this.#db.prepare('INSERT OR IGNORE INTO model_favourites (kind, rel_path, created_at) VALUES (?, ?, ?)').run(model.kind, model.rel_path, isoAt(this.#clock));
    } else {
      this.#db.prepare('DELETE FROM model_favourites WHERE kind = ? AND rel_path = ?').run(model.kind, model.rel_path);
    }
  }

  /** The view with its marks filled in; one query per list, not per row. */
  decorate(views: ModelView[]): ModelView[] {
    if (!views.length) return views;
    const favourites = new Set(this.#db.prepare<[], { k: string }>(`SELECT kind || char(0) || rel_path AS k FROM model_favourites`).all().map((r) => r.k));
    const collections = new Map<string, number[]>();
    for (const r of this.#db.prepare<[], { k: string; id: number }>(`SELECT kind || char(0) || rel_path AS k, collection_id AS id FROM model_collection_items ORDER BY collection_id`).all()) {
      collections.set(r.k, [...(collections.get(r.k) ?? []), r.id]);
    }
    return views.map((view) => {
      const key = `${view.kind}\0${view.rel_path}`;
      return { ...view, favourite: favourites.has(key), collection_ids: collections.get(key) ?? [] };
    });
  }

  /** A rename or move: the marks go with the file. Runs inside the rename's transaction. */
  relocate(from: Place, toRelPath: string): void {
    const args = [toRelPath, from.kind, from.rel_path];
    this.#db.prepare('UPDATE OR REPLACE model_favourites SET rel_path = ? WHERE kind = ? AND rel_path = ?').run(...args);
    this.#db.prepare('UPDATE OR REPLACE model_collection_items SET rel_path = ? WHERE kind = ? AND rel_path = ?').run(...args);
  }

  collections(): ModelCollection[] {
    return this.#db.prepare<[], ModelCollection>(`SELECT c.id, c.name, c.created_at,
        (SELECT COUNT(*) FROM model_collection_items i JOIN models m ON m.kind = i.kind AND m.rel_path = i.rel_path WHERE i.collection_id = c.id) AS model_count
      FROM model_collections c ORDER BY c.name COLLATE NOCASE`).all();
  }

  collection(id: number): ModelCollection {
    const found = this.collections().find((c) => c.id === id);
    if (!found) throw new ApiError(404, 'collection_not_found', `No model collection with id ${id}.`);
    return found;
  }

  createCollection(name: string): ModelCollection {
    const trimmed = name.trim();
    this.#refuseTaken(trimmed, null);
    const { lastInsertRowid } = this.#db.prepare('INSERT INTO model_collections (name, created_at) VALUES (?, ?)').run(trimmed, isoAt(this.#clock));
    return this.collection(Number(lastInsertRowid));
  }

  renameCollection(id: number, name: string): ModelCollection {
    this.collection(id);
    const trimmed = name.trim();
    this.#refuseTaken(trimmed, id);
    this.#db.prepare('UPDATE model_collections SET name = ? WHERE id = ?').run(trimmed, id);
    return this.collection(id);
  }

  /** Removes the collection, never the models in it. */
  deleteCollection(id: number): void {
    this.collection(id);
    this.#db.prepare('DELETE FROM model_collections WHERE id = ?').run(id);
  }

  add(id: number, models: Place[]): ModelCollection {
    this.collection(id);
    const insert = this.#db.prepare('INSERT OR IGNORE INTO model_collection_items (collection_id, kind, rel_path, added_at) VALUES (?, ?, ?, ?)');
    const now = isoAt(this.#clock);
    this.#db.transaction(() => { for (const m of models) insert.run(id, m.kind, m.rel_path, now); }).immediate();
    return this.collection(id);
  }

  remove(id: number, model: Place): ModelCollection {
    this.collection(id);
    this.#db.prepare('DELETE FROM model_collection_items WHERE collection_id = ? AND kind = ? AND rel_path = ?').run(id, model.kind, model.rel_path);
    return this.collection(id);
  }

  #refuseTaken(name: string, except: number | null): void {
    const taken = this.#db.prepare<[string], { id: number }>('SELECT id FROM model_collections WHERE name = ? COLLATE NOCASE').get(name);
    if (taken && taken.id !== except) throw new ApiError(409, 'collection_exists', `A model collection named "${name}" already exists.`);
  }
}
