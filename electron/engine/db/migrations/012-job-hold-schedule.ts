import type Database from 'better-sqlite3';

/**
 * Held jobs and start times.
 * - `jobs.status` may be `held`: accepted and durable, never dispatched until released. A held
 *   job keeps its priority and position, so on release it is back in its old place.
 * - `jobs.not_before`: the earliest time (epoch ms) the job may start; 0 = as soon as possible.
 *   It is separate from `run_after`, the retry backoff, which a retry or unpark resets.
 * SQLite cannot change a CHECK in place, so the table is rebuilt (the migrator runs with
 * foreign keys off and checks them before committing, so `images` keeps its rows); every
 * column, index and the status trigger are recreated as they were.
 */
export function addJobHoldSchedule(db: Database.Database): void {
  db.exec(`
    CREATE TABLE jobs_new (
      mobilesd_job_id TEXT PRIMARY KEY,
      status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
        ('pending','held','downloading_resources','processing','completed','failed','cancelled')),
      creation_timestamp TEXT NOT NULL,
      last_updated_timestamp TEXT NOT NULL,
      started_timestamp TEXT,
      completion_timestamp TEXT,
      target_server_alias TEXT NOT NULL,
      assigned_server_alias TEXT,
      forge_session_hash TEXT,
      generation_params_json TEXT NOT NULL,
      result_details_json TEXT,
      backend_task_id TEXT,
      app_type TEXT NOT NULL DEFAULT 'forge' CHECK (app_type IN ('forge','comfyui')),
      mode TEXT NOT NULL DEFAULT 'txt2img',
      source_info TEXT,
      api_key_id TEXT,
      priority INTEGER NOT NULL DEFAULT 5,
      position REAL NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL DEFAULT 3,
      run_after INTEGER NOT NULL DEFAULT 0,
      lease_token TEXT,
      error_message TEXT,
      cancel_requested INTEGER NOT NULL DEFAULT 0,
      archived INTEGER NOT NULL DEFAULT 0,
      positive_prompt TEXT NOT NULL DEFAULT '',
      checkpoint_name TEXT,
      metadata_json TEXT,
      callback_url TEXT,
      callback_images INTEGER NOT NULL DEFAULT 0,
      edit_history_json TEXT,
      not_before INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO jobs_new (mobilesd_job_id, status, creation_timestamp, last_updated_timestamp, started_timestamp, completion_timestamp,
      target_server_alias, assigned_server_alias, forge_session_hash, generation_params_json, result_details_json, backend_task_id,
      app_type, mode, source_info, api_key_id, priority, position, attempts, max_attempts, run_after, lease_token, error_message,
      cancel_requested, archived, positive_prompt, checkpoint_name, metadata_json, callback_url, callback_images, edit_history_json)
    SELECT mobilesd_job_id, status, creation_timestamp, last_updated_timestamp, started_timestamp, completion_timestamp,
      target_server_alias, assigned_server_alias, forge_session_hash, generation_params_json, result_details_json, backend_task_id,
      app_type, mode, source_info, api_key_id, priority, position, attempts, max_attempts, run_after, lease_token, error_message,
      cancel_requested, archived, positive_prompt, checkpoint_name, metadata_json, callback_url, callback_images, edit_history_json
    FROM jobs;
    DROP TABLE jobs;
    ALTER TABLE jobs_new RENAME TO jobs;

    -- The claim query: pending jobs by priority (high first), then user position (FIFO).
    CREATE INDEX jobs_claim ON jobs (status, priority DESC, position);
    CREATE INDEX jobs_finished ON jobs (archived, completion_timestamp DESC);
    CREATE INDEX jobs_position ON jobs (position);
    CREATE INDEX jobs_wake ON jobs (status, run_after);
    CREATE INDEX jobs_counts ON jobs (archived, status, app_type);
    CREATE INDEX jobs_api_key ON jobs (api_key_id, status);
    -- The dispatcher's next wake-up: the earliest start time still ahead.
    CREATE INDEX jobs_not_before ON jobs (status, not_before);

    -- As in the notifications step. A held job is not work the queue still has to do, so
    -- it does not keep the queue from counting as drained.
    CREATE TRIGGER jobs_notify_status AFTER UPDATE OF status ON jobs
      WHEN NEW.status IN ('completed', 'failed', 'cancelled') AND OLD.status <> NEW.status
    BEGIN
      INSERT INTO notify_events (type, job_id, created_at)
        SELECT CASE NEW.status WHEN 'completed' THEN 'job.finished' ELSE 'job.failed' END, NEW.mobilesd_job_id,
          CAST(unixepoch('subsec') * 1000 AS INTEGER)
        WHERE NEW.status IN ('completed', 'failed');
      INSERT INTO notify_events (type, job_id, created_at)
        SELECT 'queue.drained', NEW.mobilesd_job_id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
        WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE status IN ('pending', 'processing', 'downloading_resources'));
    END;
  `);
}
