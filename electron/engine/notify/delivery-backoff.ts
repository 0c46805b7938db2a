/**
 * When a failed delivery is tried again: 5 s after the first failure, then three times
 * longer each time (15 s, 45 s, 2 min, 7 min, 20 min, 1 h, then every 3 h), and not after
 * a day: a receiver that is down for a day has been told in the delivery log instead.
 */
export const FIRST_RETRY_MS = 5_000;
export const MAX_RETRY_MS = 3 * 60 * 60 * 1000;
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;

/** Delay after `failedAttempts` failures (1 = the first try failed), or null to give up. */
export function nextRetryDelay(failedAttempts: number, ageMs: number, firstRetryMs = FIRST_RETRY_MS): number | null {
  const delay = Math.min(firstRetryMs * 3 ** (failedAttempts - 1), MAX_RETRY_MS);
  return ageMs + delay > GIVE_UP_AFTER_MS ? null : delay;
}
