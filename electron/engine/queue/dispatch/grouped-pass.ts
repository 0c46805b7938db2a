import type { JobRow } from '../job-row.ts';
import type { DispatchPolicy } from './plan-next.ts';

/** A job may still be passed: fewer than K passes, and not passed for longer than T. */
export function mayBePassed(job: Pick<JobRow, 'overtaken_count' | 'overtaken_since'>, policy: DispatchPolicy, now: number): boolean {
  return job.overtaken_count < policy.maxOvertake && (job.overtaken_since === null || now - job.overtaken_since < policy.maxDelayMs);
}

/** How one job stands against the head, as the dispatcher (live) or the forecast (played forward) sees it. */
export interface GroupingView<T, P> {
  priority: (job: T) => number;
  /** It could start now; one that cannot is neither taken nor passed. */
  canStart: (job: T) => boolean;
  /** Where it could start now with its model already loaded, or null. */
  loadedAt: (job: T) => P | null;
  mayBePassed: (job: T) => boolean;
}

/**
 * The grouping rule, one for the dispatcher and the forecast that plays it forward: the job
 * at `head` would make its server load a model, so the first later job of the same priority
 * that can start now where its model is loaded goes instead, passing only jobs that may
 * still be passed. Returns that job's index, where it goes, and the jobs it passes; null
 * when the head goes.
 */
export function groupedPass<T, P>(jobs: readonly T[], head: number, view: GroupingView<T, P>): { index: number; at: P; passed: T[] } | null {
  const first = jobs[head];
  if (!view.mayBePassed(first)) return null;
  const passed = [first];
  for (let i = head + 1; i < jobs.length; i++) {
    const job = jobs[i];
    if (view.priority(job) !== view.priority(first)) return null;
    if (!view.canStart(job)) continue;
    const at = view.loadedAt(job);
    if (at !== null) return { index: i, at, passed };
    // It could start now but needs a load too: passing the next one passes it as well.
    if (!view.mayBePassed(job)) return null;
    passed.push(job);
  }
  return null;
}
