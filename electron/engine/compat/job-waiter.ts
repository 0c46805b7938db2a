/**
 * Waiting for a job to end, for the facades whose protocol answers a generation in the
 * same HTTP call (A1111's txt2img). It listens to the engine's job events, so it adds no
 * polling; the job itself does not depend on the waiter: when the caller goes away the
 * wait ends and the job runs on into the gallery.
 */
import { FINISHED_STATUSES } from '../../../shared/jobs.ts';
import type { EventBus } from '../event-bus.ts';
import type { JobRow } from '../queue/job-row.ts';
import type { JobStore } from '../queue/job-store.ts';

export type WaitOutcome = { kind: 'finished'; row: JobRow } | { kind: 'removed' } | { kind: 'abandoned' };

export function waitForJobEnd(deps: { bus: EventBus; jobs: JobStore }, id: string, signal: AbortSignal): Promise<WaitOutcome> {
  return new Promise((resolve) => {
    let off: () => void = () => {};
    const settle = (outcome: WaitOutcome) => {
      off();
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const check = (): boolean => {
      const row = deps.jobs.get(id);
      if (!row) return settle({ kind: 'removed' }), true;
      if (FINISHED_STATUSES.includes(row.status)) return settle({ kind: 'finished', row }), true;
      return false;
    };
    const onAbort = () => settle({ kind: 'abandoned' });
    off = deps.bus.on((event) => {
      // A job cancelled while it waited is announced as job.updated, one that ran as job.finished.
      if ((event.type === 'job.finished' || event.type === 'job.updated') && event.job.mobilesd_job_id === id) check();
      else if (event.type === 'job.deleted' && event.job_id === id) settle({ kind: 'removed' });
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
