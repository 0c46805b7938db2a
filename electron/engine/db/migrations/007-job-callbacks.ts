import type Database from 'better-sqlite3';

/**
 * A job's own callback: `callback_url` gets the job's result when it finishes or fails,
 * with its images attached as multipart when `callback_images` is 1. Kept on the job row so
 * it is stored in the same insert as the job (a job can never lose its callback).
 */
export function addJobCallbacks(db: Database.Database): void {
  db.exec(`
    ALTER TABLE jobs ADD COLUMN callback_url TEXT;
    ALTER TABLE jobs ADD COLUMN callback_images INTEGER NOT NULL DEFAULT 0;
  `);
}
