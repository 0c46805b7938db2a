import type Database from 'better-sqlite3';

/**
 * Push targets configured by one URL each (ntfy://, gotify://, discord://…). The URL holds
 * tokens, so the row keeps only a display form with the secrets cut out; the whole URL
 * lives in the secret store. Their deliveries go through the same outbox as webhooks,
 * marked by `push_target_id` (`target_url` then holds the display form for the log).
 */
export function createPushTargets(db: Database.Database): void {
  db.exec(`
    CREATE TABLE push_targets (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      display_url TEXT NOT NULL,
      events_json TEXT NOT NULL,
      quiet_start TEXT,
      quiet_end TEXT,
      only_when_drained INTEGER NOT NULL DEFAULT 0,
      enabled INTEGER NOT NULL DEFAULT 1,
      created_at TEXT NOT NULL
    );
    ALTER TABLE webhook_deliveries ADD COLUMN push_target_id TEXT REFERENCES push_targets (id) ON DELETE CASCADE;
    CREATE INDEX webhook_deliveries_by_push_target ON webhook_deliveries (push_target_id, created_at DESC);
  `);
}
