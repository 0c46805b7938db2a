import type Database from 'better-sqlite3';

/** Reserved for model favourites and collections; filled in by that work. */
export function createModelCollections(db: Database.Database): void {
  void db;
}
