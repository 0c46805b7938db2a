/** Capped, jittered exponential backoff between attempts: 2 s, 4 s, 8 s … at most 2 min. */
export function retryDelayMs(attempt: number, baseMs = 2_000, random: () => number = Math.random): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 120_000);
  return Math.round(base * (0.75 + random() * 0.5));
}
