/**
 * A job's earlier runs, read from its edit history: each retry records the attempt that
 * ended (its status, times and error) there, because the next run reuses the job's own
 * time columns. The rest of the history is ordinary edits.
 */
import type { JobEdit } from '../../../shared/job-edits.ts';

export interface EarlierAttempt {
  status: string;
  started: string | null;
  finished: string | null;
  error: string | null;
  retriedAt: string;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** A retry entry is the one whose status went from a finished state back to pending. */
function isRetry(edit: JobEdit): boolean {
  return edit.changes.some((c) => c.field === 'status' && c.to === 'pending');
}

export function splitHistory(history: readonly JobEdit[]): { attempts: EarlierAttempt[]; edits: JobEdit[] } {
  const attempts: EarlierAttempt[] = [];
  const edits: JobEdit[] = [];
  for (const edit of history) {
    if (!isRetry(edit)) {
      edits.push(edit);
      continue;
    }
    const from = (field: string) => text(edit.changes.find((c) => c.field === field)?.from);
    attempts.push({ status: from('status') ?? 'ended', started: from('started_timestamp'), finished: from('completion_timestamp'), error: from('error_message'), retriedAt: edit.at });
  }
  return { attempts, edits };
}
