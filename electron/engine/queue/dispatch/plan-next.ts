import type { JobRow } from '../job-row.ts';
import type { JobShape } from './job-shape.ts';
import { groupedPass, mayBePassed } from './grouped-pass.ts';
import { sameModel } from './model-match.ts';

/** A server as the planner sees it: when it can start its next job and what it will have loaded. */
export interface PlanServer {
  alias: string;
  /** It has a free slot now. */
  free: boolean;
  /** When it can start its next job (now when free; the expected end of its running job when not). */
  availableAt: number;
  /** The model it has, or will have once the jobs sent to it ran; null when unknown. */
  checkpoint: string | null;
}

export interface DispatchPolicy {
  /** Let a job whose model is loaded pass one that would make its server load another. */
  grouping: boolean;
  /** A job is passed at most this many times... */
  maxOvertake: number;
  /** ...and not at all once this long has gone by since it was first passed. */
  maxDelayMs: number;
}

export interface CostModel {
  runMs(alias: string, shape: JobShape): number;
  loadMs(alias: string): number;
}

export interface PlanInput {
  now: number;
  /** Runnable pending jobs in dispatch order (priority, then position, or fair-share order). */
  candidates: readonly JobRow[];
  servers: readonly PlanServer[];
  /** The free servers that may take `job` now, best first by the eligibility rules; null: it must wait. */
  freeFor: (job: JobRow) => string[] | null;
  /** Whether a busy server may take `job` once it is free (for waiting on a faster or better one). */
  canRunLater: (job: JobRow, alias: string) => boolean;
  shapeOf: (job: JobRow) => JobShape;
  cost: CostModel;
  policy: DispatchPolicy;
}

/** The job to start now, where, and what the choice meant. */
export interface PlannedStart {
  job: JobRow;
  alias: string;
  /** The server has to load another model for it. */
  loadsModel: boolean;
  /** Earlier jobs of the same priority it passed to reuse the loaded model. */
  overtaken: string[];
}

/** When a job would finish on a server, and whether it makes the server load a model. */
function finish(input: PlanInput, server: PlanServer, job: JobRow, start: number) {
  const shape = input.shapeOf(job);
  const loadsModel = !sameModel(server.checkpoint, shape.checkpoint);
  const at = Math.max(start, server.availableAt) + (loadsModel ? input.cost.loadMs(server.alias) : 0) + input.cost.runMs(server.alias, shape);
  return { at, loadsModel };
}

/**
 * Picks the next job to start and its server, as a list schedule that minimises when each
 * job finishes (earliest finish time first):
 * - jobs are taken in dispatch order; each goes to the free server where it would finish
 *   first (speed learned per server and job shape, plus a model load when needed);
 * - when a busy server would still finish it sooner (much faster, or it has the model), the
 *   job is set aside for that one, and the next job is considered for the free server;
 * - when the job would make its server load a model, a later job of the same priority whose
 *   model is loaded on a free server may go first (grouping), unless a job it passes has
 *   already been passed K times or has waited T since it was first passed.
 * Returns null when nothing should start now.
 */
export function planNext(input: PlanInput): PlannedStart | null {
  const { now, policy } = input;
  const timeline = new Map(input.servers.map((s) => [s.alias, { ...s }]));
  const candidates = input.candidates;
  for (let i = 0; i < candidates.length; i++) {
    const job = candidates[i];
    const free = input.freeFor(job);
    if (!free || free.length === 0) continue;
    const options = free.map((alias) => timeline.get(alias)).filter((s): s is PlanServer => s !== undefined && s.free);
    if (options.length === 0) continue;
    let best = options[0];
    let bestFinish = finish(input, best, job, now);
    for (const server of options.slice(1)) {
      const f = finish(input, server, job, now);
      if (f.at < bestFinish.at) { best = server; bestFinish = f; }
    }
    // A busy server that would still finish it first: keep the job for it.
    const later = [...timeline.values()].filter((s) => !s.free && input.canRunLater(job, s.alias));
    let waitFor: PlanServer | null = null;
    let waitFinish = bestFinish.at;
    for (const server of later) {
      const f = finish(input, server, job, now);
      if (f.at < waitFinish) { waitFor = server; waitFinish = f.at; }
    }
    if (waitFor) {
      waitFor.availableAt = waitFinish;
      waitFor.checkpoint = input.shapeOf(job).checkpoint || waitFor.checkpoint;
      continue;
    }
    if (bestFinish.loadsModel && policy.grouping) {
      const grouped = groupedInstead(input, i, timeline);
      if (grouped) return grouped;
    }
    return { job, alias: best.alias, loadsModel: bestFinish.loadsModel, overtaken: [] };
  }
  return null;
}

/** The grouping rule over the live free servers: a later job whose model is loaded on one of them. */
function groupedInstead(input: PlanInput, head: number, timeline: Map<string, PlanServer>): PlannedStart | null {
  const { now, policy, candidates } = input;
  const grouped = groupedPass(candidates, head, {
    priority: (job) => job.priority,
    canStart: (job) => (input.freeFor(job)?.length ?? 0) > 0,
    loadedAt: (job) => input.freeFor(job)?.find((alias) => {
      const server = timeline.get(alias);
      return server?.free && sameModel(server.checkpoint, input.shapeOf(job).checkpoint);
    }) ?? null,
    mayBePassed: (job) => mayBePassed(job, policy, now),
  });
  if (!grouped) return null;
  return { job: candidates[grouped.index], alias: grouped.at, loadsModel: false, overtaken: grouped.passed.map((j) => j.mobilesd_job_id) };
}
