import type { Db } from '../../db/connection.ts';
import type { Clock } from '../../clock.ts';
import { workUnits, type JobShape } from './job-shape.ts';

/** Assumed run time of a job when no job has finished on any server yet. */
export const DEFAULT_RUN_MS = 30_000;
/** Assumed cost of a checkpoint load until one has been measured on the server. */
export const DEFAULT_LOAD_MS = 5_000;
/** How many runs the prior from similar jobs counts for against a shape's own mean. */
const PRIOR_WEIGHT = 1;

interface DurationRow extends JobShape {
  server_alias: string;
  runs: number;
  mean_ms: number;
}

export interface ServerDispatchStats {
  model_loads: number;
  loads_saved: number;
  /** Mean measured cost of a model load; null before one was measured. */
  load_mean_ms: number | null;
  /** Finished runs measured on the server. */
  runs: number;
  /** Sampling speed in steps per second at one megapixel; null before a run was measured. */
  megapixel_steps_per_second: number | null;
}

const keyOf = (alias: string, s: JobShape) => `${alias}\u0000${s.checkpoint}\u0000${s.width}\u0000${s.height}\u0000${s.steps}\u0000${s.batch}`;

/**
 * What the dispatcher has learned about each server, durable in SQLite and mirrored in
 * memory (a few rows per server and shape): run times per job shape (a running mean, with
 * a prior from similar jobs for shapes not seen yet), model loads and their cost, and the
 * loads grouping saved. Routing, grouping and ETAs all ask it; nothing else estimates.
 */
export class DispatchStats {
  readonly #clock: Clock;
  readonly #durations = new Map<string, DurationRow>();
  readonly #servers = new Map<string, { model_loads: number; loads_saved: number; load_samples: number; load_mean_ms: number }>();
  readonly #stmts;
  readonly #loadListeners = new Set<(alias: string, jobId: string) => void>();

  constructor(db: Db, clock: Clock) {
    this.#clock = clock;
    for (const row of db.prepare<[], DurationRow>('SELECT * FROM dispatch_durations').all()) this.#durations.set(keyOf(row.server_alias, row), row);
    for (const row of db.prepare<[], { server_alias: string; model_loads: number; loads_saved: number; load_samples: number; load_mean_ms: number }>(
      'SELECT * FROM dispatch_server_stats').all()) this.#servers.set(row.server_alias, row);
    this.#stmts = {
      putDuration: db.prepare(`INSERT INTO dispatch_durations (server_alias, checkpoint, width, height, steps, batch, runs, mean_ms, updated_at)
        VALUES (@server_alias, @checkpoint, @width, @height, @steps, @batch, @runs, @mean_ms, @now)
        ON CONFLICT (server_alias, checkpoint, width, height, steps, batch) DO UPDATE SET runs = excluded.runs, mean_ms = excluded.mean_ms, updated_at = excluded.updated_at`),
      putServer: db.prepare(`INSERT INTO dispatch_server_stats (server_alias, model_loads, loads_saved, load_samples, load_mean_ms)
        VALUES (@server_alias, @model_loads, @loads_saved, @load_samples, @load_mean_ms)
        ON CONFLICT (server_alias) DO UPDATE SET model_loads = excluded.model_loads, loads_saved = excluded.loads_saved,
        load_samples = excluded.load_samples, load_mean_ms = excluded.load_mean_ms`),
    };
  }

  /** Expected run time of a job of this shape on this server, without a model load. */
  runMs(alias: string, shape: JobShape): number {
    const exact = this.#durations.get(keyOf(alias, shape));
    const prior = this.#priorMs(alias, shape);
    if (!exact) return prior;
    return (exact.runs * exact.mean_ms + PRIOR_WEIGHT * prior) / (exact.runs + PRIOR_WEIGHT);
  }

  /** Whether anything was measured on this server yet (an unmeasured one is estimated from the others). */
  measured(alias: string): boolean {
    for (const row of this.#durations.values()) if (row.server_alias === alias) return true;
    return false;
  }

  /** From similar jobs, scaled by their work: same server and checkpoint, else the server, else all servers. */
  #priorMs(alias: string, shape: JobShape): number {
    const units = Math.max(workUnits(shape), 1e-6);
    const rate = this.#msPerUnit((r) => r.server_alias === alias && r.checkpoint === shape.checkpoint)
      ?? this.#msPerUnit((r) => r.server_alias === alias)
      ?? this.#msPerUnit((r) => r.checkpoint === shape.checkpoint)
      ?? this.#msPerUnit(() => true);
    return rate === null ? DEFAULT_RUN_MS : rate * units;
  }

  #msPerUnit(match: (row: DurationRow) => boolean): number | null {
    let ms = 0;
    let units = 0;
    for (const row of this.#durations.values()) {
      if (!match(row)) continue;
      ms += row.mean_ms * row.runs;
      units += workUnits(row) * row.runs;
    }
    return units > 0 ? ms / units : null;
  }

  /** Expected cost of a model load on this server. */
  loadMs(alias: string): number {
    const server = this.#servers.get(alias);
    return server && server.load_samples > 0 ? server.load_mean_ms : DEFAULT_LOAD_MS;
  }

  /**
   * A job finished on `alias` after `ms` of work. When it made the server load its model, the
   * time beyond the expected run is a sample of the load cost (and the run mean is left alone,
   * so one load does not make the shape look slow).
   */
  recordRun(alias: string, shape: JobShape, ms: number, loadedModel: boolean): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    if (loadedModel) {
      if (!this.measured(alias)) return;
      const server = this.#server(alias);
      const sample = Math.max(0, ms - this.runMs(alias, shape));
      server.load_mean_ms += (sample - server.load_mean_ms) / ++server.load_samples;
      this.#stmts.putServer.run({ server_alias: alias, ...server });
      return;
    }
    const key = keyOf(alias, shape);
    const row = this.#durations.get(key) ?? { server_alias: alias, ...shape, runs: 0, mean_ms: 0 };
    row.runs += 1;
    row.mean_ms += (ms - row.mean_ms) / row.runs;
    this.#durations.set(key, row);
    this.#stmts.putDuration.run({ ...row, now: this.#clock.now() });
  }

  /**
   * Job `jobId` makes `alias` load another model. The one place a load is counted: the
   * Queue's loads and loads saved and Prometheus' stablequeue_model_loads_total all read it.
   */
  recordLoad(alias: string, jobId: string): void {
    this.#server(alias).model_loads += 1;
    this.#stmts.putServer.run({ server_alias: alias, ...this.#server(alias) });
    for (const listener of this.#loadListeners) listener(alias, jobId);
  }

  /** Calls `listener` as each load is recorded (the metrics time the load from there); returns the unsubscribe. */
  onLoad(listener: (alias: string, jobId: string) => void): () => void {
    this.#loadListeners.add(listener);
    return () => this.#loadListeners.delete(listener);
  }

  /** The loads saved on `alias` against queue order changed by `delta` (see QueueOrderLoads). */
  addSaved(alias: string, delta: number): void {
    if (delta === 0) return;
    const server = this.#server(alias);
    server.loads_saved = Math.max(0, server.loads_saved + delta);
    this.#stmts.putServer.run({ server_alias: alias, ...server });
  }

  #server(alias: string) {
    let server = this.#servers.get(alias);
    if (!server) {
      server = { model_loads: 0, loads_saved: 0, load_samples: 0, load_mean_ms: 0 };
      this.#servers.set(alias, server);
    }
    return server;
  }

  forServer(alias: string): ServerDispatchStats {
    const server = this.#servers.get(alias);
    let ms = 0;
    let units = 0;
    let runs = 0;
    for (const row of this.#durations.values()) {
      if (row.server_alias !== alias) continue;
      ms += row.mean_ms * row.runs;
      units += workUnits(row) * row.runs;
      runs += row.runs;
    }
    return {
      model_loads: server?.model_loads ?? 0,
      loads_saved: server?.loads_saved ?? 0,
      load_mean_ms: server && server.load_samples > 0 ? Math.round(server.load_mean_ms) : null,
      runs,
      megapixel_steps_per_second: ms > 0 ? Math.round((units / (ms / 1000)) * 100) / 100 : null,
    };
  }

  totals(): { model_loads: number; loads_saved: number } {
    let model_loads = 0;
    let loads_saved = 0;
    for (const s of this.#servers.values()) { model_loads += s.model_loads; loads_saved += s.loads_saved; }
    return { model_loads, loads_saved };
  }
}
