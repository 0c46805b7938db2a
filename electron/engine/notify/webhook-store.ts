import type { NotifyEvent, WebhookView } from '../../../shared/notifications.ts';
import type { Db } from '../db/connection.ts';

interface WebhookRow {
  id: string;
  url: string;
  events_json: string;
  has_secret: number;
  enabled: number;
  created_at: string;
}

const toView = (row: WebhookRow): WebhookView => ({
  id: row.id, url: row.url, events: JSON.parse(row.events_json) as NotifyEvent[],
  has_secret: row.has_secret === 1, enabled: row.enabled === 1, created_at: row.created_at,
});

/** All SQL about webhook targets. The secret itself is never here: only whether there is one. */
export class WebhookStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  list(): WebhookView[] {
    return this.#db.prepare<[], WebhookRow>('SELECT * FROM webhooks ORDER BY created_at, id').all().map(toView);
  }

  get(id: string): WebhookView | null {
    const row = this.#db.prepare<[string], WebhookRow>('SELECT * FROM webhooks WHERE id = ?').get(id);
    return row ? toView(row) : null;
  }

  insert(hook: WebhookView): WebhookView {
    this.#db.prepare(`INSERT INTO webhooks (id, url, events_json, has_secret, enabled, created_at)
      VALUES (@id, @url, @events, @has_secret, @enabled, @created_at)`).run({
      id: hook.id, url: hook.url, events: JSON.stringify(hook.events), has_secret: hook.has_secret ? 1 : 0,
      enabled: hook.enabled ? 1 : 0, created_at: hook.created_at,
    });
    return hook;
  }

  update(hook: WebhookView): void {
    this.#db.prepare(`UPDATE webhooks SET url = @url, events_json = @events, has_secret = @has_secret, enabled = @enabled
      WHERE id = @id`).run({
      id: hook.id, url: hook.url, events: JSON.stringify(hook.events), has_secret: hook.has_secret ? 1 : 0, enabled: hook.enabled ? 1 : 0,
    });
  }

  delete(id: string): boolean {
    return this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM webhook_delivery_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = ?)').run(id);
      this.#db.prepare('DELETE FROM webhook_deliveries WHERE webhook_id = ?').run(id);
      return this.#db.prepare('DELETE FROM webhooks WHERE id = ?').run(id).changes === 1;
    }).immediate();
  }

  /** The enabled webhooks that want an event. */
  subscribers(event: NotifyEvent): WebhookView[] {
    return this.list().filter((hook) => hook.enabled && hook.events.includes(event));
  }
}
