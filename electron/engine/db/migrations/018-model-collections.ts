import type Database from 'better-sqlite3';

/**
 * Model favourites and collections. Keyed by the file's place in the library (kind and
 * path), not by the models row id: a model sent to the trash and restored, or rescanned,
 * gets a new row but keeps its star and its collections; a rename or move rewrites the key.
 */
export function createModelCollections(db: Database.Database): void {
  db.exec(`
    CREATE TABLE model_favourites (
      kind TEXT NOT NULL,
      rel_path TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (kind, rel_path)
    );
    CREATE TABLE model_collections (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      created_at TEXT NOT NULL
    );
    CREATE TABLE model_collection_items (
      collection_id INTEGER NOT NULL REFERENCES model_collections(id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      rel_path TEXT NOT NULL,
      added_at TEXT NOT NULL,
      PRIMARY KEY (collection_id, kind, rel_path)
    );
    CREATE INDEX model_collection_items_model ON model_collection_items (kind, rel_path);
  `);
}
