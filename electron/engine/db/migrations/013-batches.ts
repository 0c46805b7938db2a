import type Database from 'better-sqlite3';

/** Reserved for batches and grids; filled in by that work. */
export function createBatches(db: Database.Database): void {
  void db;
}
