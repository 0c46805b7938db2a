import type Database from 'better-sqlite3';

/**
 * The local model library (one row per model file, the hash cache keyed by path + size +
 * mtime), the persistent Civitai download queue and a cache of Civitai hash lookups
 * (including "not on Civitai" answers, with a time-to-live).
 */
export function createModelTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE models (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('checkpoint','lora','vae','embedding')),
      root TEXT NOT NULL,
      rel_path TEXT NOT NULL,
      abs_path TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      ext TEXT NOT NULL,
      size INTEGER NOT NULL,
      mtime_ms INTEGER NOT NULL,
      sha256 TEXT,
      autov3 TEXT,
      hash_error TEXT,
      hashed_at INTEGER,
      base_model TEXT NOT NULL DEFAULT 'Unknown',
      base_model_label TEXT,
      base_model_source TEXT,
      header_json TEXT,
      civitai_status TEXT NOT NULL DEFAULT 'unknown' CHECK (civitai_status IN ('unknown','found','not_found','error')),
      civitai_model_id INTEGER,
      civitai_version_id INTEGER,
      civitai_model_name TEXT,
      civitai_version_name TEXT,
      trained_words TEXT,
      civitai_checked_at INTEGER,
      latest_version_id INTEGER,
      update_available INTEGER NOT NULL DEFAULT 0,
      preview_file TEXT,
      has_user_json INTEGER NOT NULL DEFAULT 0,
      has_civitai_info INTEGER NOT NULL DEFAULT 0,
      sidecar_sig TEXT,
      scan_gen INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX models_kind_name ON models (kind, name COLLATE NOCASE);
    CREATE INDEX models_sha256 ON models (sha256);
    CREATE INDEX models_version ON models (civitai_version_id);

    CREATE TABLE downloads (
      id TEXT PRIMARY KEY,
      status TEXT NOT NULL CHECK (status IN ('queued','active','paused','verifying','completed','failed','cancelled')),
      kind TEXT NOT NULL,
      model_id INTEGER NOT NULL,
      version_id INTEGER NOT NULL,
      file_id INTEGER NOT NULL,
      model_name TEXT,
      version_name TEXT,
      base_model TEXT,
      file_name TEXT NOT NULL,
      target_path TEXT NOT NULL,
      part_path TEXT NOT NULL,
      expected_size INTEGER,
      expected_sha256 TEXT,
      bytes_done INTEGER NOT NULL DEFAULT 0,
      signed_url TEXT,
      signed_url_expires INTEGER,
      version_json TEXT NOT NULL,
      job_ids TEXT NOT NULL DEFAULT '[]',
      error_code TEXT,
      error_message TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      library_model_id INTEGER,
      position INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      completed_at TEXT
    );
    CREATE INDEX downloads_status ON downloads (status, position);

    CREATE TABLE civitai_hash_cache (
      sha256 TEXT PRIMARY KEY,
      model_id INTEGER,
      version_id INTEGER,
      checked_at INTEGER NOT NULL
    );
  `);
}
