/** Pause / resume the whole queue, with a toast saying what it means (sidebar and phone top bar). */
import { useJobs } from '../stores/jobs.ts';
import { useToasts } from '../stores/toasts.ts';

export function useQueuePause() {
  const jobs = useJobs();
  const toasts = useToasts();
  async function togglePause(): Promise<void> {
    try {
      await jobs.setPaused(!jobs.paused);
      toasts.info(jobs.paused ? 'Queue paused' : 'Queue resumed', jobs.paused ? 'Running jobs finish; nothing new starts until you resume.' : undefined);
    } catch (err) {
      toasts.error(jobs.paused ? 'Could not resume the queue' : 'Could not pause the queue', err);
    }
  }
  return { togglePause };
}
