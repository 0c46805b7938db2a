import type Database from 'better-sqlite3';

/** Reserved for held jobs and not_before (queue power tools); filled in by that work. */
export function addJobHoldSchedule(db: Database.Database): void {
  void db;
}
