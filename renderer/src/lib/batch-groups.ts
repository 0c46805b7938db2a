/**
 * The queue list with a batch's jobs gathered under one group, placed where its first job
 * is in the list (the list's own order is kept inside the group and around it).
 */
import type { JobSummary } from '../../../shared/jobs.ts';

export type QueueItem =
  | { kind: 'job'; key: string; job: JobSummary }
  | { kind: 'batch'; key: string; batchId: string; jobs: JobSummary[] };

export function groupByBatch(list: readonly JobSummary[]): QueueItem[] {
  const items: QueueItem[] = [];
  const groups = new Map<string, JobSummary[]>();
  for (const job of list) {
    const batchId = job.batch_id;
    if (!batchId) {
      items.push({ kind: 'job', key: job.mobilesd_job_id, job });
      continue;
    }
    const group = groups.get(batchId);
    if (group) group.push(job);
    else {
      const jobs = [job];
      groups.set(batchId, jobs);
      items.push({ kind: 'batch', key: `batch-${batchId}`, batchId, jobs });
    }
  }
  return items;
}
