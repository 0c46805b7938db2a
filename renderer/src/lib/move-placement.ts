/**
 * Where a pending job lands when moved: the engine dispatches by priority, then position,
 * so a job put between two others joins the earlier one's priority group (a job moved to
 * the top or bottom takes the priority that keeps it there). The Queue shows the result
 * at once and asks before a move would change the job's priority.
 */
import type { JobSummary, ReorderRequest } from '../../../shared/jobs.ts';

type Placed = Pick<JobSummary, 'mobilesd_job_id' | 'priority' | 'position'>;

/** `others` are the other pending jobs in queue order. */
export function placementAfterMove(job: Placed, others: readonly Placed[], req: ReorderRequest): { priority: number; position: number } {
  let prev: Placed | undefined;
  let next: Placed | undefined;
  if ('to' in req) {
    if (req.to === 'top') next = others[0];
    else prev = others[others.length - 1];
  } else if ('before' in req) {
    const i = others.findIndex((j) => j.mobilesd_job_id === req.before);
    next = others[i];
    prev = i > 0 ? others[i - 1] : undefined;
  } else {
    const i = others.findIndex((j) => j.mobilesd_job_id === req.after);
    prev = others[i];
    next = others[i + 1];
  }
  let priority = job.priority;
  let position = job.position;
  if (prev && next) {
    // Between two jobs: join the earlier one's priority group, right after it.
    priority = prev.priority;
    position = prev.priority === next.priority ? (prev.position + next.position) / 2 : prev.position + 1;
  } else if (next) {
    priority = Math.max(job.priority, next.priority);
    position = priority === next.priority ? next.position - 1 : job.position;
  } else if (prev) {
    priority = Math.min(job.priority, prev.priority);
    position = priority === prev.priority ? prev.position + 1 : job.position;
  }
  return { priority, position };
}
