import fs from 'node:fs';
import path from 'node:path';
import type { AppType, DrainAction } from '../../../shared/servers.ts';
import { isoAt, type Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';

export interface ServerRow {
  alias: string;
  app_type: AppType;
  api_url: string;
  username: string | null;
  max_concurrency: number;
  enabled: number;
  created_at: string;
  updated_at: string;
  /** JSON arrays of strings; read them with serverRules(). */
  tags_json: string;
  allowed_checkpoints_json: string;
  blocked_checkpoints_json: string;
  max_pixels: number | null;
  max_batch: number | null;
  paused: number;
  allowed_hours: string | null;
  time_zone: string | null;
  drain_action: DrainAction;
}

/** What a server accepts and when, as the dispatcher reads it. */
export interface ServerRules {
  tags: string[];
  allowed_checkpoints: string[];
  blocked_checkpoints: string[];
  max_pixels: number | null;
  max_batch: number | null;
  allowed_hours: string | null;
  time_zone: string | null;
  drain_action: DrainAction;
}

export const NO_RULES: ServerRules = {
  tags: [], allowed_checkpoints: [], blocked_checkpoints: [], max_pixels: null, max_batch: null,
  allowed_hours: null, time_zone: null, drain_action: 'none',
};

export function serverRules(row: ServerRow): ServerRules {
  const list = (json: string | undefined) => (json ? JSON.parse(json) as string[] : []);
  return {
    tags: list(row.tags_json),
    allowed_checkpoints: list(row.allowed_checkpoints_json),
    blocked_checkpoints: list(row.blocked_checkpoints_json),
    max_pixels: row.max_pixels ?? null,
    max_batch: row.max_batch ?? null,
    allowed_hours: row.allowed_hours ?? null,
    time_zone: row.time_zone ?? null,
    drain_action: row.drain_action ?? 'none',
  };
}

export interface ServerFields {
  alias: string;
  app_type: AppType;
  api_url: string;
  username: string | null;
  max_concurrency: number;
  enabled: boolean;
  rules?: ServerRules;
}

/** The row's columns for a server's fields, rules spelled out as their JSON columns. */
function columns({ rules = NO_RULES, ...fields }: ServerFields): Record<string, unknown> {
  return {
    ...fields, enabled: fields.enabled ? 1 : 0,
    tags_json: JSON.stringify(rules.tags), allowed_checkpoints_json: JSON.stringify(rules.allowed_checkpoints),
    blocked_checkpoints_json: JSON.stringify(rules.blocked_checkpoints), max_pixels: rules.max_pixels, max_batch: rules.max_batch,
    allowed_hours: rules.allowed_hours, time_zone: rules.time_zone, drain_action: rules.drain_action,
  };
}

/** Registered backend servers. Passwords are not here: they live in the SecretStore. */
export class ServerStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  list(): ServerRow[] {
    return this.#db.prepare<[], ServerRow>('SELECT * FROM servers ORDER BY created_at, alias').all();
  }

  get(alias: string): ServerRow | undefined {
    return this.#db.prepare<[string], ServerRow>('SELECT * FROM servers WHERE alias = ?').get(alias);
  }

  insert(fields: ServerFields): ServerRow {
    const now = isoAt(this.#clock);
    this.#db.prepare(`INSERT INTO servers (alias, app_type, api_url, username, max_concurrency, enabled, created_at, updated_at,
        tags_json, allowed_checkpoints_json, blocked_checkpoints_json, max_pixels, max_batch, allowed_hours, time_zone, drain_action)
      VALUES (@alias, @app_type, @api_url, @username, @max_concurrency, @enabled, @now, @now,
        @tags_json, @allowed_checkpoints_json, @blocked_checkpoints_json, @max_pixels, @max_batch, @allowed_hours, @time_zone, @drain_action)`)
      .run({ ...columns(fields), now });
    return this.get(fields.alias)!;
  }

  /** Updates a server; a changed alias is carried over to pending jobs that named it. */
  update(alias: string, fields: ServerFields): ServerRow {
    const now = isoAt(this.#clock);
    this.#db.transaction(() => {
      this.#db.prepare(`UPDATE servers SET alias = @alias, app_type = @app_type, api_url = @api_url, username = @username,
        max_concurrency = @max_concurrency, enabled = @enabled, updated_at = @now,
        tags_json = @tags_json, allowed_checkpoints_json = @allowed_checkpoints_json, blocked_checkpoints_json = @blocked_checkpoints_json,
        max_pixels = @max_pixels, max_batch = @max_batch, allowed_hours = @allowed_hours, time_zone = @time_zone,
        drain_action = @drain_action WHERE alias = @old`)
        .run({ ...columns(fields), now, old: alias });
      if (fields.alias !== alias) {
        this.#db.prepare(`UPDATE jobs SET target_server_alias = ? WHERE target_server_alias = ? AND status = 'pending'`).run(fields.alias, alias);
      }
    }).immediate();
    return this.get(fields.alias)!;
  }

  /** Paused: the server finishes what it runs and takes nothing new (kept across restarts). */
  setPaused(alias: string, paused: boolean): void {
    this.#db.prepare('UPDATE servers SET paused = ?, updated_at = ? WHERE alias = ?').run(paused ? 1 : 0, isoAt(this.#clock), alias);
  }

  delete(alias: string): boolean {
    return this.#db.prepare('DELETE FROM servers WHERE alias = ?').run(alias).changes === 1;
  }

  /**
   * Imports MobileSD's `servers.json` (MobileSD's config: [{alias, apiUrl|api_url, auth?}])
   * once, when the table is empty and the file exists in the config dir.
   */
  importLegacyServersJson(configDir: string): { imported: ServerFields[]; passwords: Map<string, string> } {
    const file = path.join(configDir, 'servers.json');
    const passwords = new Map<string, string>();
    if (this.list().length > 0 || !fs.existsSync(file)) return { imported: [], passwords };
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      return { imported: [], passwords };
    }
    const entries = Array.isArray(raw) ? raw : [];
    const imported: ServerFields[] = [];
    for (const entry of entries as Record<string, unknown>[]) {
      const alias = typeof entry.alias === 'string' ? entry.alias.trim() : '';
      const apiUrl = (entry.api_url ?? entry.apiUrl) as unknown;
      if (!alias || typeof apiUrl !== 'string' || this.get(alias)) continue;
      const auth = (entry.auth ?? {}) as Record<string, unknown>;
      const fields: ServerFields = {
        alias,
        app_type: entry.app_type === 'comfyui' ? 'comfyui' : 'forge',
        api_url: apiUrl.replace(/\/+$/, ''),
        username: typeof (entry.username ?? auth.username) === 'string' ? String(entry.username ?? auth.username) : null,
        max_concurrency: 1,
        enabled: true,
      };
      const password = entry.password ?? auth.password;
      if (typeof password === 'string' && password) passwords.set(alias, password);
      this.insert(fields);
      imported.push(fields);
    }
    return { imported, passwords };
  }
}
