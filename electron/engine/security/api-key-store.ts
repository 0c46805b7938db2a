import { randomUUID } from 'node:crypto';
import { isoAt, type Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { hashSecret, newKeyId, newSecret, secretMatches } from './api-key-credentials.ts';
import { isPermissionList, type Permission } from './permissions.ts';

interface ApiKeyRow {
  id: string;
  name: string;
  key_id: string;
  secret_hash: string;
  created_at: string;
  last_used: string | null;
  is_active: number;
  permissions: string;
  rate_limit_per_minute: number;
  max_queue_depth: number;
}

/** An API key as the engine uses it; never holds the secret or its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  keyId: string;
  active: boolean;
  permissions: Permission[];
  rateLimitPerMinute: number;
  maxQueueDepth: number;
  createdAt: string;
  lastUsed: string | null;
}

export interface NewApiKey {
  name: string;
  permissions: Permission[];
  rateLimitPerMinute?: number;
  maxQueueDepth?: number;
}

export interface ApiKeyPatch {
  name?: string;
  permissions?: Permission[];
  active?: boolean;
  rateLimitPerMinute?: number;
  maxQueueDepth?: number;
}

export type KeyCheck =
  | { ok: true; key: ApiKeyRecord }
  | { ok: false; reason: 'unknown' | 'wrong_secret' | 'disabled' };

export const API_KEY_DEFAULTS = { rateLimitPerMinute: 600, maxQueueDepth: 500 } as const;

/** last_used is written at most this often per key: a synchronous=FULL write per request would cost an fsync each. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

// Compared against when the key id is unknown, so an unknown id costs the same as a wrong secret.
const DUMMY_HASH = hashSecret('stablequeue-no-such-key');

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  let permissions: unknown = [];
  try {
    permissions = JSON.parse(row.permissions);
  } catch {
    // a damaged row grants nothing
  }
  return {
    id: row.id,
    name: row.name,
    keyId: row.key_id,
    active: row.is_active === 1,
    permissions: isPermissionList(permissions) ? permissions : [],
    rateLimitPerMinute: row.rate_limit_per_minute,
    maxQueueDepth: row.max_queue_depth,
    createdAt: row.created_at,
    lastUsed: row.last_used,
  };
}

/** The api_keys table: create (secret returned once), list, update, delete, verify. */
export class ApiKeyStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #lastWritten = new Map<string, number>();
  readonly #stmts;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#stmts = {
      insert: db.prepare(`INSERT INTO api_keys (id, name, key_id, secret_hash, created_at, is_active, permissions,
        rate_limit_per_minute, max_queue_depth) VALUES (@id, @name, @key_id, @secret_hash, @created_at, 1, @permissions,
        @rate_limit_per_minute, @max_queue_depth)`),
      list: db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, id'),
      get: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE id = ?'),
      byKeyId: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE key_id = ?'),
      delete: db.prepare('DELETE FROM api_keys WHERE id = ?'),
      touch: db.prepare('UPDATE api_keys SET last_used = ? WHERE id = ?'),
    };
  }

  /** Creates a key; the returned secret exists nowhere else, it cannot be shown again. */
  create(input: NewApiKey): { key: ApiKeyRecord; secret: string } {
    const secret = newSecret();
    const id = randomUUID();
    this.#stmts.insert.run({
      id,
      name: input.name,
      key_id: newKeyId(),
      secret_hash: hashSecret(secret),
      created_at: isoAt(this.#clock),
      permissions: JSON.stringify([...new Set(input.permissions)]),
      rate_limit_per_minute: input.rateLimitPerMinute ?? API_KEY_DEFAULTS.rateLimitPerMinute,
      max_queue_depth: input.maxQueueDepth ?? API_KEY_DEFAULTS.maxQueueDepth,
    });
    return { key: this.get(id)!, secret };
  }

  list(): ApiKeyRecord[] {
    return this.#stmts.list.all().map(toRecord);
  }

  get(id: string): ApiKeyRecord | null {
    const row = this.#stmts.get.get(id);
    return row ? toRecord(row) : null;
  }

  update(id: string, patch: ApiKeyPatch): ApiKeyRecord | null {
    const sets: string[] = [];
    const args: Record<string, unknown> = { id };
    if (patch.name !== undefined) { sets.push('name = @name'); args.name = patch.name; }
    if (patch.permissions !== undefined) { sets.push('permissions = @permissions'); args.permissions = JSON.stringify([...new Set(patch.permissions)]); }
    if (patch.active !== undefined) { sets.push('is_active = @active'); args.active = patch.active ? 1 : 0; }
    if (patch.rateLimitPerMinute !== undefined) { sets.push('rate_limit_per_minute = @rate'); args.rate = patch.rateLimitPerMinute; }
    if (patch.maxQueueDepth !== undefined) { sets.push('max_queue_depth = @depth'); args.depth = patch.maxQueueDepth; }
    if (sets.length) this.#db.prepare(`UPDATE api_keys SET ${sets.join(', ')} WHERE id = @id`).run(args);
    return this.get(id);
  }

  delete(id: string): boolean {
    this.#lastWritten.delete(id);
    return this.#stmts.delete.run(id).changes === 1;
  }

  /** Checks a presented key id + secret in constant time (per secret) and says why it fails. */
  verify(keyId: string, secret: string): KeyCheck {
    const row = this.#stmts.byKeyId.get(keyId);
    if (!row) {
      secretMatches(secret, DUMMY_HASH);
      return { ok: false, reason: 'unknown' };
    }
    if (!secretMatches(secret, row.secret_hash)) return { ok: false, reason: 'wrong_secret' };
    if (row.is_active !== 1) return { ok: false, reason: 'disabled' };
    return { ok: true, key: toRecord(row) };
  }

  /** Records use of a key (last_used), writing at most once a minute per key. */
  touch(id: string): void {
    const now = this.#clock.now();
    const last = this.#lastWritten.get(id);
    if (last !== undefined && now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.#lastWritten.set(id, now);
    this.#stmts.touch.run(new Date(now).toISOString(), id);
  }
}
