import type { ModelUsage } from '../../../../shared/model-usage.ts';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import { namesInParams } from '../manage/model-name-match.ts';
import type { ModelRow } from './model-row.ts';
import type { ModelStore } from './model-store.ts';

/** Recomputed at most this often: one pass over the jobs table, whatever its size. */
const FRESH_MS = 30_000;
const HASH_SUFFIX = /\s*\[[0-9a-f]{8,64}\]\s*$/i;

/** Every way a job may name a file (path or file name, with or without extension), lowercased. */
function keysOf(row: ModelRow): string[] {
  const file = row.rel_path.slice(row.rel_path.lastIndexOf('/') + 1);
  const cut = (s: string) => (s.toLowerCase().endsWith(row.ext.toLowerCase()) ? s.slice(0, -row.ext.length) : s);
  return [...new Set([row.rel_path, cut(row.rel_path), file, cut(file)].map((k) => k.toLowerCase()))];
}

/**
 * How much each library model was used: jobs that named it (checkpoint, LoRAs, VAE), when
 * last, on which servers. Jobs name files, not library ids, so names are matched the way
 * servers resolve them; the answer is cached for half a minute.
 */
export class ModelUsageIndex {
  readonly #db: Db;
  readonly #store: ModelStore;
  readonly #clock: Clock;
  #cache: { at: number; usage: Map<number, ModelUsage> } | null = null;

  constructor(db: Db, store: ModelStore, clock: Clock) {
    this.#db = db;
    this.#store = store;
    this.#clock = clock;
  }

  all(): Map<number, ModelUsage> {
    const now = this.#clock.now();
    if (this.#cache && now - this.#cache.at < FRESH_MS) return this.#cache.usage;
    const byKind = new Map<ModelRow['kind'], Map<string, number>>();
    for (const row of this.#store.all()) {
      const keys = byKind.get(row.kind) ?? new Map<string, number>();
      for (const key of keysOf(row)) if (!keys.has(key)) keys.set(key, row.id);
      byKind.set(row.kind, keys);
    }
    const usage = new Map<number, ModelUsage>();
    const jobs = this.#db.prepare<[], { params: string; server: string | null; at: string }>(`SELECT generation_params_json AS params,
      assigned_server_alias AS server, COALESCE(started_timestamp, creation_timestamp) AS at FROM jobs
      WHERE status IN ('completed','processing')`).iterate();
    for (const job of jobs) {
      let params: Record<string, unknown>;
      try { params = JSON.parse(job.params) as Record<string, unknown>; } catch { continue; }
      const seen = new Set<number>();
      for (const [kind, keys] of byKind) {
        for (const name of namesInParams(params, kind)) {
          const id = keys.get(name.replace(HASH_SUFFIX, '').trim().replace(/\\/g, '/').toLowerCase());
          if (id === undefined || seen.has(id)) continue;
          seen.add(id);
          const u = usage.get(id) ?? { model_id: id, jobs: 0, last_used_at: null, servers: [] };
          u.jobs += 1;
          if (!u.last_used_at || job.at > u.last_used_at) u.last_used_at = job.at;
          if (job.server && !u.servers.includes(job.server)) u.servers.push(job.server);
          usage.set(id, u);
        }
      }
    }
    this.#cache = { at: now, usage };
    return usage;
  }

  of(id: number): ModelUsage {
    return this.all().get(id) ?? { model_id: id, jobs: 0, last_used_at: null, servers: [] };
  }
}
