import { backoffDelayMs, withJitter } from '../backoff.ts';
import { CivitaiError } from './civitai-error.ts';

export interface BackoffPolicy {
  /** First delay; doubles each retry (1 s, 2 s … at most 30 s: Civitai asks clients to back off). */
  baseMs: number;
  maxMs: number;
  /** Retries after the first try. */
  retries: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000, retries: 4 };

export function backoffDelay(policy: BackoffPolicy, attempt: number, retryAfterMs: number | null, random = Math.random): number {
  // Jitter over the upper half keeps parallel clients from retrying in lockstep.
  const jittered = withJitter(backoffDelayMs(attempt, policy), 0.5, 1, random);
  return Math.min(policy.maxMs, Math.max(jittered, retryAfterMs ?? 0));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Network failures (refused, DNS, timeout) are retried once: a dead link should fail fast. */
const NETWORK_RETRIES = 1;

/** Runs `task`, retrying retryable CivitaiErrors (429, 5xx, network) with exponential backoff. */
export async function withBackoff<T>(task: () => Promise<T>, policy: BackoffPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (!(error instanceof CivitaiError) || !error.retryable || signal?.aborted) throw error;
      const limit = error.kind === 'network' || error.kind === 'timeout' ? Math.min(NETWORK_RETRIES, policy.retries) : policy.retries;
      if (attempt >= limit) throw error;
      await sleep(backoffDelay(policy, attempt, error.retryAfterMs), signal);
    }
  }
}
