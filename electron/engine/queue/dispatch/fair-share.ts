import type { JobRow } from '../job-row.ts';

/**
 * Fair share: within one priority level, jobs take turns between their sources (the API key
 * that sent them, else the client named in source_info, else the UI), so one script with
 * thousands of jobs cannot starve someone else's single job. The SQL expression and the
 * function name the same source.
 */
export const SHARE_KEY_SQL = `COALESCE(api_key_id, source_info, '')`;

export function shareKeyOf(job: Pick<JobRow, 'api_key_id' | 'source_info'>): string {
  return job.api_key_id ?? job.source_info ?? '';
}

/** A candidate read in fair-share order: its rank among its own source's waiting jobs (1 = next). */
export type RankedJob = JobRow & { share_rank?: number };

/**
 * Orders candidates in turns: each source's next job first, the source served longest ago
 * first; then each source's second job, and so on. Stable: ties keep the queue order.
 */
export function fairShareOrder(candidates: readonly RankedJob[], lastServedAt: (source: string) => number): RankedJob[] {
  return [...candidates].sort((a, b) => b.priority - a.priority
    || (a.share_rank ?? 1) - (b.share_rank ?? 1)
    || lastServedAt(shareKeyOf(a)) - lastServedAt(shareKeyOf(b)));
}

/** Jobs in queue order with their rank among their source's jobs of the same priority, as the store reads candidates. */
export function withShareRanks(jobs: readonly JobRow[]): RankedJob[] {
  const seen = new Map<string, number>();
  return jobs.map((job) => {
    const key = `${job.priority}\u0000${shareKeyOf(job)}`;
    const rank = (seen.get(key) ?? 0) + 1;
    seen.set(key, rank);
    return { ...job, share_rank: rank };
  });
}
