import type { NotifyEvent, PushTargetView } from '../../../shared/notifications.ts';
import type { Db } from '../db/connection.ts';

interface PushTargetRow {
  id: string;
  kind: string;
  display_url: string;
  events_json: string;
  quiet_start: string | null;
  quiet_end: string | null;
  only_when_drained: number;
  enabled: number;
  created_at: string;
}

const toView = (row: PushTargetRow): PushTargetView => ({
  id: row.id, kind: row.kind, url: row.display_url, events: JSON.parse(row.events_json) as NotifyEvent[],
  quiet_hours: row.quiet_start && row.quiet_end ? { start: row.quiet_start, end: row.quiet_end } : null,
  only_when_queue_done: row.only_when_drained === 1, enabled: row.enabled === 1, created_at: row.created_at,
});

/** All SQL about push targets. Their whole URLs (with tokens) are in the secret store, never here. */
export class PushTargetStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  list(): PushTargetView[] {
    return this.#db.prepare<[], PushTargetRow>('SELECT * FROM push_targets ORDER BY created_at, id').all().map(toView);
  }

  get(id: string): PushTargetView | null {
    const row = this.#db.prepare<[string], PushTargetRow>('SELECT * FROM push_targets WHERE id = ?').get(id);
    return row ? toView(row) : null;
  }

  save(target: PushTargetView): void {
    this.#db.prepare(`INSERT INTO push_targets (id, kind, display_url, events_json, quiet_start, quiet_end, only_when_drained, enabled, created_at)
      VALUES (@id, @kind, @url, @events, @qs, @qe, @drained, @enabled, @created_at)
      ON CONFLICT (id) DO UPDATE SET kind = @kind, display_url = @url, events_json = @events, quiet_start = @qs, quiet_end = @qe,
        only_when_drained = @drained, enabled = @enabled`).run({
      id: target.id, kind: target.kind, url: target.url, events: JSON.stringify(target.events),
      qs: target.quiet_hours?.start ?? null, qe: target.quiet_hours?.end ?? null,
      drained: target.only_when_queue_done ? 1 : 0, enabled: target.enabled ? 1 : 0, created_at: target.created_at,
    });
  }

  delete(id: string): boolean {
    return this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM webhook_delivery_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE push_target_id = ?)').run(id);
      this.#db.prepare('DELETE FROM webhook_deliveries WHERE push_target_id = ?').run(id);
      return this.#db.prepare('DELETE FROM push_targets WHERE id = ?').run(id).changes === 1;
    }).immediate();
  }
}
