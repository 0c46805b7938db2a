import type Database from 'better-sqlite3';

/**
 * What the dispatcher learns and how it keeps its promises, kept across restarts.
 * - `dispatch_durations`: how long a job of one shape took on one server (running mean of the
 *   run time without a model load), keyed by server, checkpoint ('' when the job names none),
 *   size, steps and batch. Speeds, routing and ETAs are read from it.
 * - `dispatch_server_stats`: per server, the model loads its jobs caused, the loads grouping
 *   avoided, and the running mean of a load's cost.
 * - `jobs.overtaken_count` / `jobs.overtaken_since`: how many jobs a pending job has let pass
 *   so that a loaded model could be reused, and since when (epoch ms). They bound the
 *   unfairness of grouping: a job passed K times or for T minutes is not passed again.
 */
export function createDispatchStats(db: Database.Database): void {
  db.exec(`
    CREATE TABLE dispatch_durations (
      server_alias TEXT NOT NULL,
      checkpoint TEXT NOT NULL,
      width INTEGER NOT NULL,
      height INTEGER NOT NULL,
      steps INTEGER NOT NULL,
      batch INTEGER NOT NULL,
      runs INTEGER NOT NULL,
      mean_ms REAL NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (server_alias, checkpoint, width, height, steps, batch)
    );
    CREATE TABLE dispatch_server_stats (
      server_alias TEXT PRIMARY KEY,
      model_loads INTEGER NOT NULL DEFAULT 0,
      loads_saved INTEGER NOT NULL DEFAULT 0,
      load_samples INTEGER NOT NULL DEFAULT 0,
      load_mean_ms REAL NOT NULL DEFAULT 0
    );
    ALTER TABLE jobs ADD COLUMN overtaken_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN overtaken_since INTEGER;
  `);
}
