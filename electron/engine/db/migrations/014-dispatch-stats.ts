import type Database from 'better-sqlite3';

/** Reserved for learned speeds and model loads (smart dispatch, ETAs); filled in by that work. */
export function createDispatchStats(db: Database.Database): void {
  void db;
}
