import { sameModel } from './model-match.ts';

interface Started {
  priority: number;
  position: number;
  model: string;
}

interface ServerRun {
  /** The model the server had before its first job here. */
  initial: string | null;
  /** Jobs that named a model, in queue order (priority, then position). */
  jobs: Started[];
  /** Model changes running `jobs` in that order would make. */
  queueOrderLoads: number;
  /** Model changes the jobs really made. */
  loads: number;
}

/** Keeps the comparison to the recent past, so a long-running engine stays light. */
const MAX_JOBS = 5000;

const before = (a: Started, b: Started) => a.priority > b.priority || (a.priority === b.priority && a.position < b.position);
const changes = (a: string | null | undefined, b: string | null | undefined) => (b == null ? 0 : a === undefined || !sameModel(a, b) ? 1 : 0);

/**
 * "Model loads saved", measured rather than guessed: for each server, the loads the jobs it
 * ran would have made in queue order, against the loads they made in the order they ran.
 * Each started job is placed into the queue-order list where it belongs, and the changes
 * it adds there are counted at once (the neighbours it sits between).
 */
export class QueueOrderLoads {
  readonly #servers = new Map<string, ServerRun>();

  /** A job started on `alias`; returns how the loads saved there changed (may be negative). */
  add(alias: string, serverModel: string | null, job: { priority: number; position: number; checkpoint_name: string | null }, loadsModel: boolean): number {
    let run = this.#servers.get(alias);
    if (!run || run.jobs.length >= MAX_JOBS) {
      run = { initial: serverModel, jobs: [], queueOrderLoads: 0, loads: 0 };
      this.#servers.set(alias, run);
    }
    const savedBefore = run.queueOrderLoads - run.loads;
    if (loadsModel) run.loads += 1;
    if (job.checkpoint_name) {
      const started: Started = { priority: job.priority, position: job.position, model: job.checkpoint_name };
      let at = run.jobs.length;
      while (at > 0 && before(started, run.jobs[at - 1])) at--;
      const previous = at > 0 ? run.jobs[at - 1].model : run.initial;
      const next = run.jobs[at]?.model;
      run.queueOrderLoads += changes(previous ?? undefined, started.model) + changes(started.model, next) - (next === undefined ? 0 : changes(previous ?? undefined, next));
      run.jobs.splice(at, 0, started);
    }
    return run.queueOrderLoads - run.loads - savedBefore;
  }
}
