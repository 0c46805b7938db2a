import type Database from 'better-sqlite3';

/** Reserved for the gallery index of outside folders, FTS, ratings and collections; filled in by that work. */
export function createGalleryIndex(db: Database.Database): void {
  void db;
}
