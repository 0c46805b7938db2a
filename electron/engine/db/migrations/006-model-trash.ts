import type Database from 'better-sqlite3';

/**
 * Deleted models wait in a trash so a delete can be undone: one row per deleted model,
 * holding the folder its files were moved to (inside its library root, so the move is a
 * rename on the same disk), the file names moved (model and sidecars) and the library row
 * as it was, restored with the same id, hashes and Civitai link.
 */
export function createModelTrash(db: Database.Database): void {
  db.exec(`
    CREATE TABLE model_trash (
      id INTEGER PRIMARY KEY,
      model_id INTEGER NOT NULL,
      kind TEXT NOT NULL,
      root TEXT NOT NULL,
      rel_path TEXT NOT NULL,
      trash_dir TEXT NOT NULL,
      files_json TEXT NOT NULL,
      row_json TEXT NOT NULL,
      size INTEGER NOT NULL,
      deleted_at TEXT NOT NULL
    );
  `);
}
