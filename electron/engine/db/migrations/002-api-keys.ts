import type Database from 'better-sqlite3';

/**
 * API keys for external clients (extensions, scripts): as the Forge extension uses them,
 * adapted so the secret is never stored. `key_id` is the public lookup id sent with each
 * request (`sq_` + 16 hex chars); `secret_hash` is the SHA-256 (hex) of the 256-bit secret,
 * shown once at creation. One SHA-256 is enough for a random secret of that size.
 */
export function createApiKeysTable(db: Database.Database): void {
  db.exec(`
    CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      key_id TEXT NOT NULL UNIQUE,
      secret_hash TEXT NOT NULL CHECK (length(secret_hash) = 64),
      created_at TEXT NOT NULL,
      last_used TEXT,
      is_active INTEGER NOT NULL DEFAULT 1,
      permissions TEXT NOT NULL DEFAULT '["submit","read"]',
      rate_limit_per_minute INTEGER NOT NULL DEFAULT 600,
      max_queue_depth INTEGER NOT NULL DEFAULT 500
    );
  `);
}
