import type { Clock } from '../../clock.ts';
import type { JobRow } from '../job-row.ts';
import type { DispatchStats } from './dispatch-stats.ts';
import type { JobShapes } from './job-shape.ts';
import { sameModel } from './model-match.ts';
import type { PlanServer } from './plan-next.ts';

/** When a job should start and finish (epoch ms). */
export interface JobForecast {
  start: number;
  end: number;
}

/** The dispatcher's side of a forecast: its servers now and its rules. */
export interface ForecastSource {
  forecastView(): { servers: (PlanServer & { lanes: number })[]; mayRun: (job: JobRow, alias: string) => boolean };
  expectedEnd(jobId: string): number | null;
  readonly stats: DispatchStats;
}

/** Waiting jobs simulated one by one; the rest of a longer queue is extrapolated from them. */
const SIMULATED_JOBS = 2000;
/** A forecast is reused until the queue changes, and at most this long even then (a burst of changes costs one). */
const REUSE_MS = 250;
/** ...and never longer than this, so running jobs that overrun move the times on. */
const MAX_AGE_MS = 2000;

interface Forecast {
  at: number;
  version: number;
  jobs: Map<string, JobForecast>;
  allDoneBy: number | null;
}

/**
 * When each waiting job should start and finish: the queue played forward in dispatch order
 * on the servers that may take each job, with the run times and model-load costs the
 * dispatcher learned, each job going where it would finish first (as the dispatcher sends
 * it). A job waits for its not_before and retry backoff; a server outside its allowed hours
 * starts again when they open; a paused server takes nothing. While the whole queue is paused
 * the times say when the jobs would run if it were resumed now (the queue shows it paused).
 * A held job, or one no server may take, has no forecast (null).
 */
export class QueueForecast {
  readonly #pending: (limit: number) => { rows: JobRow[]; total: number };
  readonly #dispatcher: ForecastSource;
  readonly #shapes: JobShapes;
  readonly #clock: Clock;
  #version = 0;
  #cached: Forecast | null = null;

  constructor(deps: {
    /** Pending jobs in dispatch order (at most `limit`) and how many there are in all. */
    pending: (limit: number) => { rows: JobRow[]; total: number };
    dispatcher: ForecastSource; shapes: JobShapes; clock: Clock;
  }) {
    this.#pending = deps.pending;
    this.#dispatcher = deps.dispatcher;
    this.#shapes = deps.shapes;
    this.#clock = deps.clock;
  }

  /** The queue changed: the next read plays it forward again. */
  invalidate(): void {
    this.#version++;
  }

  /** A waiting job's forecast; a running one's expected end (its start is already known). */
  forJob(job: Pick<JobRow, 'mobilesd_job_id' | 'status'>): JobForecast | null {
    if (job.status === 'processing') {
      const end = this.#dispatcher.expectedEnd(job.mobilesd_job_id);
      return end === null ? null : { start: end, end };
    }
    return job.status === 'pending' ? this.#current().jobs.get(job.mobilesd_job_id) ?? null : null;
  }

  /** The first `limit` waiting jobs' forecasts, in dispatch order. */
  first(limit: number): { id: string; forecast: JobForecast }[] {
    const out: { id: string; forecast: JobForecast }[] = [];
    for (const [id, forecast] of this.#current().jobs) {
      if (out.length >= limit) break;
      out.push({ id, forecast });
    }
    return out;
  }

  /** When everything waiting and running should be done; null when nothing is. */
  allDoneBy(): number | null {
    return this.#current().allDoneBy;
  }

  #current(): Forecast {
    const now = this.#clock.now();
    const cached = this.#cached;
    if (cached && now - cached.at < MAX_AGE_MS && (cached.version === this.#version || now - cached.at < REUSE_MS)) return cached;
    this.#cached = { at: now, version: this.#version, ...this.#compute(now) };
    return this.#cached;
  }

  #compute(now: number): { jobs: Map<string, JobForecast>; allDoneBy: number | null } {
    const jobs = new Map<string, JobForecast>();
    const { servers, mayRun } = this.#dispatcher.forecastView();
    const stats = this.#dispatcher.stats;
    const lanes = servers.flatMap((s) => Array.from({ length: Math.max(1, s.lanes) }, () => ({ alias: s.alias, at: s.availableAt, checkpoint: s.checkpoint })));
    let allDoneBy = Math.max(...lanes.map((l) => l.at), now);
    const busy = lanes.some((l) => l.at > now);
    const { rows, total } = this.#pending(SIMULATED_JOBS);
    let simulatedMs = 0;
    for (const job of rows) {
      const shape = this.#shapes.of(job);
      const earliest = Math.max(now, job.run_after ?? 0, job.not_before ?? 0);
      let best: { lane: (typeof lanes)[number]; start: number; end: number } | null = null;
      for (const lane of lanes) {
        if (!mayRun(job, lane.alias)) continue;
        const start = Math.max(lane.at, earliest);
        const load = sameModel(lane.checkpoint, shape.checkpoint) ? 0 : stats.loadMs(lane.alias);
        const end = start + load + stats.runMs(lane.alias, shape);
        if (!best || end < best.end) best = { lane, start, end };
      }
      if (!best) continue;
      best.lane.at = best.end;
      if (shape.checkpoint) best.lane.checkpoint = shape.checkpoint;
      jobs.set(job.mobilesd_job_id, { start: best.start, end: best.end });
      simulatedMs += best.end - best.start;
      allDoneBy = Math.max(allDoneBy, best.end);
    }
    // The jobs beyond the simulated ones take what the simulated took on average, spread over the servers.
    if (total > rows.length && jobs.size > 0 && lanes.length > 0) {
      allDoneBy += ((total - rows.length) * (simulatedMs / jobs.size)) / lanes.length;
    }
    return { jobs, allDoneBy: jobs.size > 0 || busy ? allDoneBy : null };
  }
}
