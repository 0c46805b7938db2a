/**
 * What a queue row can do to a job, each failure shown as a toast that names it.
 * Removing an unfinished job asks first (it is cancelled too), and so does cancelling a
 * running one: its progress is lost and a stray second click must not do it.
 */
import type { JobSummary, ReorderRequest } from '../../../shared/jobs.ts';
import { confirmAction } from '../components/confirm.ts';
import { isFinished, isRunning, useJobs } from '../stores/jobs.ts';
import { useToasts } from '../stores/toasts.ts';

/** Asks before stopping a job mid-run (whatever it has made so far is kept as a partial result). */
export function confirmRunningCancel(): Promise<boolean> {
  return confirmAction({
    title: 'Stop this running job?',
    message: 'It stops now; what it has made so far is kept as a partial result. Retry runs it again from the start.',
    confirmLabel: 'Stop job',
    danger: true,
  });
}

export function useJobActions() {
  const jobs = useJobs();
  const toasts = useToasts();

  async function act(fn: () => Promise<unknown>, fail: string): Promise<void> {
    try {
      await fn();
    } catch (err) {
      toasts.error(fail, err);
    }
  }

  const id = (j: JobSummary) => j.mobilesd_job_id;
  return {
    act,
    async cancel(j: JobSummary): Promise<void> {
      if (isRunning(j) && !(await confirmRunningCancel())) return;
      await act(() => jobs.cancel(id(j)), 'Could not cancel the job');
    },
    retry: (j: JobSummary) => act(() => jobs.retry(id(j)), 'Could not retry the job'),
    hold: (j: JobSummary) => act(() => jobs.hold(id(j)), 'Could not hold the job'),
    release: (j: JobSummary) => act(() => jobs.release(id(j)), 'Could not release the job'),
    moveTop: (j: JobSummary) => act(() => jobs.move(id(j), { to: 'top' }), 'Could not move the job'),
    moveBottom: (j: JobSummary) => act(() => jobs.move(id(j), { to: 'bottom' }), 'Could not move the job'),
    reorder: (jobId: string, req: ReorderRequest) => act(() => jobs.move(jobId, req), 'Could not reorder the job'),
    setPriority: (j: JobSummary, p: number) => act(() => jobs.setPriority(id(j), p), 'Could not change the priority'),
    async remove(j: JobSummary): Promise<void> {
      if (!isFinished(j)) {
        const ok = await confirmAction({ title: 'Remove this job?', message: 'It will be cancelled and removed from the queue.', confirmLabel: 'Remove', danger: true });
        if (!ok) return;
      }
      await act(() => jobs.deleteJob(id(j)), 'Could not remove the job');
    },
  };
}
