/**
 * Exponential backoff per key after failures, so a view that re-asks on every reactive
 * change does not hammer a server that is down: the first retry waits `baseMs`, each
 * further failure doubles it up to `maxMs`. A success or `reset` (the server came back)
 * clears the key.
 */
export interface RetryBackoff {
  /** True while `key` is still waiting out its last failure. */
  blocked(key: string, now?: number): boolean;
  failed(key: string, now?: number): void;
  succeeded(key: string): void;
  /** Clears every key for which `match` is true. */
  reset(match: (key: string) => boolean): void;
}

export function createRetryBackoff(baseMs = 2_000, maxMs = 60_000): RetryBackoff {
  const state = new Map<string, { failures: number; until: number }>();
  return {
    blocked(key, now = Date.now()) {
      const s = state.get(key);
      return !!s && now < s.until;
    },
    failed(key, now = Date.now()) {
      const failures = (state.get(key)?.failures ?? 0) + 1;
      state.set(key, { failures, until: now + Math.min(maxMs, baseMs * 2 ** (failures - 1)) });
    },
    succeeded(key) {
      state.delete(key);
    },
    reset(match) {
      for (const key of [...state.keys()]) if (match(key)) state.delete(key);
    },
  };
}
