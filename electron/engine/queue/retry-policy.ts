import { backoffDelayMs, withJitter } from '../backoff.ts';

/** The longest wait before a job's next attempt. */
export const MAX_RETRY_DELAY_MS = 120_000;

/** Capped, jittered exponential backoff between attempts: 2 s, 4 s, 8 s … at most 2 min. */
export function retryDelayMs(attempt: number, baseMs = 2_000, random: () => number = Math.random): number {
  return Math.round(withJitter(backoffDelayMs(attempt - 1, { baseMs, maxMs: MAX_RETRY_DELAY_MS }), 0.75, 1.25, random));
}
