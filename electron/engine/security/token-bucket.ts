import type { Clock } from '../clock.ts';

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-key token buckets (OWASP API4): a key may burst up to its per-minute limit and then
 * gets one request per (60 s / limit). In memory; the least recently used buckets are
 * dropped beyond `maxBuckets` (a dropped bucket starts full again, which only ever lets a
 * key through, never blocks it wrongly).
 */
export class TokenBuckets {
  readonly #clock: Clock;
  readonly #maxBuckets: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(clock: Clock, maxBuckets = 10_000) {
    this.#clock = clock;
    this.#maxBuckets = maxBuckets;
  }

  take(key: string, perMinute: number): TakeResult {
    const capacity = Math.max(1, perMinute);
    const ratePerMs = capacity / 60_000;
    const now = this.#clock.now();
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, at: now };
    this.#buckets.delete(key);
    bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxBuckets) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, remaining: Math.floor(bucket.tokens) };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / ratePerMs) };
  }

  forget(key: string): void {
    this.#buckets.delete(key);
  }
}
