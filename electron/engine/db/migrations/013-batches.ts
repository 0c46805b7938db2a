import type Database from 'better-sqlite3';

/**
 * Batches: jobs made together from one base job and its axes (a grid of prompts ×
 * checkpoints × seeds…). `batches` keeps the request's axes as expanded, so the contact
 * sheet can place each job; `jobs.batch_id` tags a job with its batch and `jobs.batch_index`
 * is its cell in that grid. `finished_at` is set once every job of the batch has ended (and
 * its contact sheet is saved); a trigger writes the `batch.finished` notification in that
 * same transaction, and another clears `finished_at` when one of its jobs is retried, so a
 * batch that runs again finishes (and notifies) again.
 */
export function createBatches(db: Database.Database): void {
  db.exec(`
    CREATE TABLE batches (
      id TEXT PRIMARY KEY,
      name TEXT,
      created_at TEXT NOT NULL,
      mode TEXT NOT NULL CHECK (mode IN ('product', 'zip')),
      axes_json TEXT NOT NULL,
      request_json TEXT NOT NULL,
      job_count INTEGER NOT NULL,
      target_server_alias TEXT NOT NULL,
      api_key_id TEXT,
      finished_at TEXT
    );
    CREATE INDEX batches_created ON batches (created_at DESC);

    ALTER TABLE jobs ADD COLUMN batch_id TEXT;
    ALTER TABLE jobs ADD COLUMN batch_index INTEGER;
    CREATE INDEX jobs_batch ON jobs (batch_id, status) WHERE batch_id IS NOT NULL;

    CREATE TRIGGER batches_notify_finished AFTER UPDATE OF finished_at ON batches
      WHEN NEW.finished_at IS NOT NULL AND OLD.finished_at IS NULL
    BEGIN
      INSERT INTO notify_events (type, job_id, data_json, created_at)
        SELECT 'batch.finished', NULL, json_object('batch_id', NEW.id, 'name', NEW.name, 'job_count', NEW.job_count,
          'completed', SUM(status = 'completed'), 'failed', SUM(status = 'failed'), 'cancelled', SUM(status = 'cancelled')),
          CAST(unixepoch('subsec') * 1000 AS INTEGER)
        FROM jobs WHERE batch_id = NEW.id;
    END;

    CREATE TRIGGER jobs_batch_reopened AFTER UPDATE OF status ON jobs
      WHEN NEW.batch_id IS NOT NULL AND OLD.status IN ('completed', 'failed', 'cancelled') AND NEW.status NOT IN ('completed', 'failed', 'cancelled')
    BEGIN
      UPDATE batches SET finished_at = NULL WHERE id = NEW.batch_id AND finished_at IS NOT NULL;
    END;
  `);
}
