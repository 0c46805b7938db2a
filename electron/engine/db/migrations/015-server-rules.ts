import type Database from 'better-sqlite3';

/** Reserved for per-server rules, pause and quarantine; filled in by that work. */
export function addServerRules(db: Database.Database): void {
  void db;
}
