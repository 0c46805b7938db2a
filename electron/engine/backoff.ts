/**
 * Exponential backoff: the one formula every retry and wait in the engine uses (job
 * retries, Civitai requests, failed API key checks, offline servers). The n-th wait
 * (0-based) is base·2ⁿ, capped at max; `withJitter` spreads it so many clients that
 * failed together do not all come back at the same moment.
 */
export interface BackoffRange {
  baseMs: number;
  maxMs: number;
}

export function backoffDelayMs(step: number, { baseMs, maxMs }: BackoffRange): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, step));
}

/** The delay times a random factor between `low` and `high` (e.g. 0.75 and 1.25). */
export function withJitter(delayMs: number, low: number, high: number, random: () => number = Math.random): number {
  return delayMs * (low + random() * (high - low));
}
