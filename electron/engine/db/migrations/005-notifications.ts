import type Database from 'better-sqlite3';

/**
 * The notification outbox.
 * - `notify_events`: one row per thing worth telling (a job finished or failed, the queue
 *   drained, a server went offline, a download finished). Job events are written by
 *   triggers on `jobs.status`, so the event row commits in the very transaction that
 *   changes the job: a crash can never keep the change and lose the event, or the reverse.
 *   `fanned_out` turns 1 once the event's deliveries exist.
 * - `webhooks`: the user's webhook targets (the secret lives in the secret store; only
 *   `has_secret` is here).
 * - `webhook_deliveries`: one row per (target, event) with its frozen payload, state and
 *   next try; `webhook_delivery_attempts` keeps every try for the delivery log. A
 *   delivery has either a webhook or a job's own `target_url` (its callback URL).
 */
export function createNotificationTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE notify_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      type TEXT NOT NULL,
      job_id TEXT,
      data_json TEXT,
      created_at INTEGER NOT NULL,
      fanned_out INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX notify_events_waiting ON notify_events (fanned_out, id);

    -- One trigger, so the job's own event always comes before the queue.drained it causes.
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

    CREATE TABLE webhooks (
      id TEXT PRIMARY KEY,
      url TEXT NOT NULL,
      events_json TEXT NOT NULL,
      has_secret INTEGER NOT NULL DEFAULT 0,
      enabled INTEGER NOT NULL DEFAULT 1,
      created_at TEXT NOT NULL
    );

    CREATE TABLE webhook_deliveries (
      id TEXT PRIMARY KEY,
      webhook_id TEXT REFERENCES webhooks (id) ON DELETE CASCADE,
      target_url TEXT,
      event_id INTEGER,
      event TEXT NOT NULL,
      payload_json TEXT NOT NULL,
      attach_images INTEGER NOT NULL DEFAULT 0,
      status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_status_code INTEGER,
      last_error TEXT,
      created_at INTEGER NOT NULL,
      delivered_at INTEGER,
      CHECK (webhook_id IS NOT NULL OR target_url IS NOT NULL)
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
    CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at DESC);
    CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (webhook_id, event_id) WHERE webhook_id IS NOT NULL AND event_id IS NOT NULL;

    CREATE TABLE webhook_delivery_attempts (
      delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
      attempt INTEGER NOT NULL,
      at INTEGER NOT NULL,
      status_code INTEGER,
      error TEXT,
      PRIMARY KEY (delivery_id, attempt)
    );
  `);
}
