import type Database from 'better-sqlite3';

/**
 * `jobs.edit_history_json`: the edits made to a job while it waited (what changed, when,
 * by which key or the UI), as a JSON array oldest first; NULL for a job never edited.
 * Kept on the job row so an edit and its record are one UPDATE.
 */
export function addJobEditHistory(db: Database.Database): void {
  db.exec(`
    ALTER TABLE jobs ADD COLUMN edit_history_json TEXT;
  `);
}
