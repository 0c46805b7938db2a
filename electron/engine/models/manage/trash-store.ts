import { isoAt, type Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { ModelRow } from '../library/model-row.ts';
import type { PlannedMove } from './move-with-sidecars.ts';

export interface TrashRow {
  id: number;
  model_id: number;
  kind: ModelRow['kind'];
  root: string;
  rel_path: string;
  trash_dir: string;
  files_json: string;
  row_json: string;
  size: number;
  deleted_at: string;
}

/** All SQL about the `model_trash` table. */
export class TrashStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Records a deleted model and drops its library row, in one transaction. */
  add(row: ModelRow, trashDir: string, files: PlannedMove[]): TrashRow {
    return this.#db.transaction(() => {
      const info = this.#db.prepare(`INSERT INTO model_trash (model_id, kind, root, rel_path, trash_dir, files_json, row_json, size, deleted_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(row.id, row.kind, row.root, row.rel_path, trashDir, JSON.stringify(files),
        JSON.stringify(row), row.size, isoAt(this.#clock));
      this.#db.prepare('DELETE FROM models WHERE id = ?').run(row.id);
      return this.get(Number(info.lastInsertRowid))!;
    }).immediate();
  }

  get(id: number): TrashRow | undefined {
    return this.#db.prepare<[number], TrashRow>('SELECT * FROM model_trash WHERE id = ?').get(id);
  }

  list(): TrashRow[] {
    return this.#db.prepare<[], TrashRow>('SELECT * FROM model_trash ORDER BY id DESC').all();
  }

  remove(id: number): void {
    this.#db.prepare('DELETE FROM model_trash WHERE id = ?').run(id);
  }
}
