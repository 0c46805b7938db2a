import type { Clock } from '../../clock.ts';
import type { JobRow } from '../job-row.ts';
import type { DispatchStats } from './dispatch-stats.ts';
import type { JobShape, JobShapes } from './job-shape.ts';
import { sameModel } from './model-match.ts';
import { groupedPass, mayBePassed } from './grouped-pass.ts';
import type { DispatchPolicy, PlanServer } from './plan-next.ts';

/** When a job should start and finish (epoch ms). */
export interface JobForecast {
  start: number;
  end: number;
}

/** The dispatcher now: its servers, which jobs each may run, and how it orders and groups them. */
export interface ForecastView {
  servers: (PlanServer & { lanes: number })[];
  mayRun: (job: JobRow, alias: string) => boolean;
  policy: DispatchPolicy;
  /** Waiting jobs (in queue order) in the order the dispatcher takes them (fair share turns). */
  order: (rows: JobRow[]) => JobRow[];
}

/** The dispatcher's side of a forecast: its view and what it learned. */
export interface ForecastSource {
  forecastView(): ForecastView;
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
    const { servers, mayRun, policy, order } = this.#dispatcher.forecastView();
    const stats = this.#dispatcher.stats;
    const lanes: Lane[] = servers.flatMap((s) => Array.from({ length: Math.max(1, s.lanes) }, () => ({ alias: s.alias, at: s.availableAt, checkpoint: s.checkpoint })));
    let allDoneBy = Math.max(...lanes.map((l) => l.at), now);
    const busy = lanes.some((l) => l.at > now);
    const { rows, total } = this.#pending(SIMULATED_JOBS);
    const loaded = memoisedSameModel();
    const waiting: Waiting[] = order(rows).map((job) => ({
      job, shape: this.#shapes.of(job), earliest: Math.max(now, job.run_after ?? 0, job.not_before ?? 0),
      passed: { overtaken_count: job.overtaken_count, overtaken_since: job.overtaken_since },
    }));
    const place = (w: Waiting, lane: Lane): Placement => {
      const start = Math.max(lane.at, w.earliest);
      const loadsModel = !loaded(lane.checkpoint, w.shape.checkpoint);
      return { lane, start, end: start + (loadsModel ? stats.loadMs(lane.alias) : 0) + stats.runMs(lane.alias, w.shape), loadsModel };
    };
    let simulatedMs = 0;
    while (waiting.length > 0) {
      const at = Math.min(...lanes.map((l) => l.at));
      const headIndex = nextDue(waiting, at);
      const head = waiting[headIndex];
      let best: Placement | null = null;
      for (const lane of lanes) {
        if (!mayRun(head.job, lane.alias)) continue;
        const placed = place(head, lane);
        if (!best || placed.end < best.end) best = placed;
      }
      if (!best) {
        waiting.splice(headIndex, 1);
        continue;
      }
      let index = headIndex;
      if (best.loadsModel && policy.grouping) {
        const grouped = groupedInstead(waiting, headIndex, best, { mayRun, loaded, policy });
        if (grouped !== null) {
          index = grouped;
          best = place(waiting[index], best.lane);
        }
      }
      const [chosen] = waiting.splice(index, 1);
      best.lane.at = best.end;
      if (chosen.shape.checkpoint) best.lane.checkpoint = chosen.shape.checkpoint;
      jobs.set(chosen.job.mobilesd_job_id, { start: best.start, end: best.end });
      simulatedMs += best.end - best.start;
      allDoneBy = Math.max(allDoneBy, best.end);
    }
    // The jobs beyond the simulated ones take what the simulated took on average, spread over the servers.
    if (total > rows.length && jobs.size > 0 && lanes.length > 0) {
      allDoneBy += ((total - rows.length) * (simulatedMs / jobs.size)) / lanes.length;
    }
    // Listed in the order they start, as the queue shows them.
    const byStart = new Map([...jobs].sort((a, b) => a[1].start - b[1].start));
    return { jobs: byStart, allDoneBy: jobs.size > 0 || busy ? allDoneBy : null };
  }
}

interface Lane {
  alias: string;
  at: number;
  checkpoint: string | null;
}

interface Waiting {
  job: JobRow;
  shape: JobShape;
  earliest: number;
  /** How often it has been passed so far, counting the passes played forward. */
  passed: Pick<JobRow, 'overtaken_count' | 'overtaken_since'>;
}

interface Placement {
  lane: Lane;
  start: number;
  end: number;
  loadsModel: boolean;
}

/**
 * The grouping rule played forward on the head's best lane: a later job due by then that may
 * run there and finds its model loaded goes instead (each job it passes counts the pass).
 * Returns its index, or null when the head goes.
 */
function groupedInstead(
  waiting: Waiting[], headIndex: number, best: Placement,
  rules: { mayRun: ForecastView['mayRun']; loaded: (loaded: string | null, wanted: string) => boolean; policy: DispatchPolicy },
): number | null {
  const grouped = groupedPass(waiting, headIndex, {
    priority: (w) => w.job.priority,
    canStart: (w) => w.earliest <= best.start && rules.mayRun(w.job, best.lane.alias),
    loadedAt: (w) => (rules.loaded(best.lane.checkpoint, w.shape.checkpoint) ? best.lane : null),
    mayBePassed: (w) => mayBePassed(w.passed, rules.policy, best.start),
  });
  if (!grouped) return null;
  for (const p of grouped.passed) p.passed = { overtaken_count: p.passed.overtaken_count + 1, overtaken_since: p.passed.overtaken_since ?? best.start };
  return grouped.index;
}

/**
 * The job the dispatcher takes next once a server is free at `at`: the first in order that is
 * due by then (a job waiting for its start time is not a candidate yet); when none is, the one
 * due soonest.
 */
function nextDue(waiting: Waiting[], at: number): number {
  let soonest = 0;
  for (let i = 0; i < waiting.length; i++) {
    if (waiting[i].earliest <= at) return i;
    if (waiting[i].earliest < waiting[soonest].earliest) soonest = i;
  }
  return soonest;
}

/** sameModel with its answers kept: the simulation asks the same pairs many times. */
function memoisedSameModel(): (loaded: string | null, wanted: string) => boolean {
  const answers = new Map<string, boolean>();
  return (loaded, wanted) => {
    const key = `${loaded ?? ''}\u0000${wanted}`;
    let answer = answers.get(key);
    if (answer === undefined) answers.set(key, (answer = sameModel(loaded, wanted)));
    return answer;
  };
}
