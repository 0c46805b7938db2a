import type Database from 'better-sqlite3';

/** Jobs (seed schema + app_type, source_info, api_key_id + queue fields), images, servers, settings. */
export function createCoreTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE jobs (
      mobilesd_job_id TEXT PRIMARY KEY,
      status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
        ('pending','downloading_resources','processing','completed','failed','cancelled')),
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
      lease_until INTEGER,
      error_message TEXT,
      cancel_requested INTEGER NOT NULL DEFAULT 0,
      archived INTEGER NOT NULL DEFAULT 0,
      positive_prompt TEXT NOT NULL DEFAULT '',
      checkpoint_name TEXT
    );
    -- The claim query: pending jobs by priority (high first), then user position (FIFO).
    CREATE INDEX jobs_claim ON jobs (status, priority DESC, position);
    CREATE INDEX jobs_finished ON jobs (archived, completion_timestamp DESC);
    CREATE INDEX jobs_position ON jobs (position);
    CREATE INDEX jobs_wake ON jobs (status, run_after);
    -- Covers the per-status counts without touching table rows.
    CREATE INDEX jobs_counts ON jobs (archived, status, app_type);
    CREATE INDEX jobs_api_key ON jobs (api_key_id, status);

    CREATE TABLE images (
      id INTEGER PRIMARY KEY,
      job_id TEXT NOT NULL REFERENCES jobs(mobilesd_job_id) ON DELETE CASCADE,
      idx INTEGER NOT NULL,
      file_path TEXT NOT NULL,
      mime TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      width INTEGER,
      height INTEGER,
      seed REAL,
      infotext TEXT,
      server_alias TEXT,
      app_type TEXT NOT NULL,
      checkpoint TEXT,
      positive_prompt TEXT NOT NULL DEFAULT '',
      created_at TEXT NOT NULL,
      UNIQUE (job_id, idx)
    );
    CREATE INDEX images_created ON images (created_at DESC, id DESC);

    CREATE TABLE servers (
      alias TEXT PRIMARY KEY,
      app_type TEXT NOT NULL CHECK (app_type IN ('forge','comfyui')),
      api_url TEXT NOT NULL,
      username TEXT,
      max_concurrency INTEGER NOT NULL DEFAULT 1,
      enabled INTEGER NOT NULL DEFAULT 1,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value_json TEXT NOT NULL
    );
  `);
}
