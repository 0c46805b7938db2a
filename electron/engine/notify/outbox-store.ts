import type { DeliveryStatus, DeliveryView } from '../../../shared/notifications.ts';
import type { Db } from '../db/connection.ts';

/** An event waiting to be turned into deliveries (job events are written by triggers on jobs). */
export interface OutboxEvent {
  id: number;
  type: string;
  job_id: string | null;
  data_json: string | null;
  created_at: number;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string | null;
  target_url: string | null;
  event_id: number | null;
  event: string;
  payload_json: string;
  attach_images: number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  push_target_id: string | null;
}

export interface NewDelivery {
  id: string;
  webhook_id: string | null;
  target_url: string | null;
  event_id: number | null;
  event: string;
  payload: unknown;
  attach_images: boolean;
  push_target_id?: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * All SQL of the notification outbox: events waiting for fan-out, deliveries and their
 * tries. Fan-out inserts an event's deliveries and marks it done in one transaction, so a
 * crash in between repeats the fan-out (the unique (webhook, event) index drops the
 * repeats) instead of losing or doubling a delivery.
 */
export class OutboxStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Adds an event that no job row change writes (server status, downloads, a test). */
  addEvent(type: string, jobId: string | null, data: unknown, now: number): void {
    this.#db.prepare('INSERT INTO notify_events (type, job_id, data_json, created_at) VALUES (?, ?, ?, ?)')
      .run(type, jobId, data === undefined ? null : JSON.stringify(data), now);
  }

  waitingEvents(limit = 100): OutboxEvent[] {
    return this.#db.prepare<[number], OutboxEvent>('SELECT id, type, job_id, data_json, created_at FROM notify_events WHERE fanned_out = 0 ORDER BY id LIMIT ?').all(limit);
  }

  /** The event's deliveries, written together with the mark that it was fanned out. */
  fanOut(eventId: number, deliveries: NewDelivery[], now: number): void {
    const insert = this.#db.prepare(`INSERT OR IGNORE INTO webhook_deliveries (id, webhook_id, target_url, event_id, event, payload_json,
      attach_images, next_attempt_at, created_at, push_target_id) VALUES (@id, @webhook_id, @target_url, @event_id, @event, @payload, @attach, @now, @now, @push)`);
    this.#db.transaction(() => {
      for (const d of deliveries) {
        insert.run({
          id: d.id, webhook_id: d.webhook_id, target_url: d.target_url, event_id: d.event_id, event: d.event,
          payload: JSON.stringify(d.payload), attach: d.attach_images ? 1 : 0, now, push: d.push_target_id ?? null,
        });
      }
      this.#db.prepare('UPDATE notify_events SET fanned_out = 1 WHERE id = ?').run(eventId);
    }).immediate();
  }

  /**
   * Forgets what is settled and older than `before`: fanned-out events, and delivered or
   * given-up deliveries with their tries. Pending ones stay whatever their age.
   */
  prune(before: number): void {
    this.#db.transaction(() => {
      this.#db.prepare(`DELETE FROM webhook_delivery_attempts WHERE delivery_id IN
        (SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?)`).run(before);
      this.#db.prepare(`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?`).run(before);
      // The newest queue.drained stays: the next "queue done" message counts from it.
      this.#db.prepare(`DELETE FROM notify_events WHERE fanned_out = 1 AND created_at < ?
        AND id <> (SELECT COALESCE(MAX(id), 0) FROM notify_events WHERE type = 'queue.drained')`).run(before);
    }).immediate();
  }

  /** Pending deliveries whose time has come, oldest first. */
  due(now: number, limit: number): DeliveryRow[] {
    return this.#db.prepare<[number, number], DeliveryRow>(`SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
      ORDER BY next_attempt_at, id LIMIT ?`).all(now, limit);
  }

  /** When the next pending delivery is due, for the worker's timer. */
  nextDueAt(): number | null {
    return this.#db.prepare<[], { t: number | null }>(`SELECT MIN(next_attempt_at) AS t FROM webhook_deliveries WHERE status = 'pending'`).get()?.t ?? null;
  }

  /** Records one try and the delivery's new state in one transaction. */
  recordAttempt(delivery: DeliveryRow, outcome: { at: number; statusCode: number | null; error: string | null; next: { status: DeliveryStatus; at: number } }): void {
    const attempt = delivery.attempts + 1;
    this.#db.transaction(() => {
      this.#db.prepare('INSERT INTO webhook_delivery_attempts (delivery_id, attempt, at, status_code, error) VALUES (?, ?, ?, ?, ?)')
        .run(delivery.id, attempt, outcome.at, outcome.statusCode, outcome.error);
      this.#db.prepare(`UPDATE webhook_deliveries SET attempts = @attempt, status = @status, next_attempt_at = @next_at,
        last_status_code = @code, last_error = @error, delivered_at = CASE WHEN @status = 'delivered' THEN @at ELSE NULL END
        WHERE id = @id AND status = 'pending'`).run({
        id: delivery.id, attempt, status: outcome.next.status, next_at: outcome.next.at, code: outcome.statusCode, error: outcome.error, at: outcome.at,
      });
    }).immediate();
  }

  /** Job events between the queue.drained before `drainedEventId` and it: what one "queue done" message sums up. */
  finishedSinceLastDrain(drainedEventId: number): { finished: number; failed: number } {
    const previous = this.#db.prepare<[number], { id: number | null }>(`SELECT MAX(id) AS id FROM notify_events WHERE type = 'queue.drained' AND id < ?`).get(drainedEventId)?.id ?? 0;
    const rows = this.#db.prepare<[number, number], { type: string; n: number }>(`SELECT type, COUNT(*) AS n FROM notify_events
      WHERE id > ? AND id < ? AND type IN ('job.finished', 'job.failed') GROUP BY type`).all(previous, drainedEventId);
    return { finished: rows.find((r) => r.type === 'job.finished')?.n ?? 0, failed: rows.find((r) => r.type === 'job.failed')?.n ?? 0 };
  }

  /** A target's delivery log (a webhook's or a push target's), newest first, each with its tries. */
  log(targetId: string, limit: number, column: 'webhook_id' | 'push_target_id' = 'webhook_id'): DeliveryView[] {
    const rows = this.#db.prepare<[string, number], DeliveryRow>(`SELECT * FROM webhook_deliveries WHERE ${column} = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(targetId, limit);
    const tries = this.#db.prepare<[string], { attempt: number; at: number; status_code: number | null; error: string | null }>(
      'SELECT attempt, at, status_code, error FROM webhook_delivery_attempts WHERE delivery_id = ? ORDER BY attempt');
    return rows.map((row) => ({
      id: row.id, event: row.event, status: row.status, attempts: row.attempts, last_status_code: row.last_status_code,
      last_error: row.last_error, next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
      created_at: iso(row.created_at)!, delivered_at: iso(row.delivered_at),
      tries: tries.all(row.id).map((t) => ({ ...t, at: iso(t.at)! })),
    }));
  }
}
