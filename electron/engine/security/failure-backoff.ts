import type { Clock } from '../clock.ts';
import { normalizeIp } from '../net/ip-address.ts';
import { backoffDelayMs } from '../backoff.ts';

export interface FailureBackoffOptions {
  /** Failures allowed before any wait. */
  freeAttempts?: number;
  /** The first wait; it doubles with every further failure. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A client with no failure for this long starts afresh. */
  forgetAfterMs?: number;
  maxClients?: number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

/**
 * Progressive backoff on failed credential checks (bad API key or wrong password) per
 * client address (OWASP API2): after `freeAttempts` failures each further one makes the
 * client wait 1 s, 2 s, 4 s … up to 15 min before it may try again. While it waits every
 * attempt is refused unchecked (429 + Retry-After), so guessing gains nothing from being
 * fast. IPv6 clients are grouped by /64, the block one subscriber usually holds.
 */
export class FailureBackoff {
  readonly #clock: Clock;
  readonly #free: number;
  readonly #base: number;
  readonly #max: number;
  readonly #forget: number;
  readonly #maxClients: number;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock, options: FailureBackoffOptions = {}) {
    this.#clock = clock;
    this.#free = options.freeAttempts ?? 10;
    this.#base = options.baseDelayMs ?? 1_000;
    this.#max = options.maxDelayMs ?? 15 * 60_000;
    this.#forget = options.forgetAfterMs ?? 30 * 60_000;
    this.#maxClients = options.maxClients ?? 50_000;
  }

  static clientKey(address: string | undefined): string {
    const ip = address ? normalizeIp(address) : null;
    if (!ip) return address ?? 'unknown';
    if (ip.family === 'ipv4') return ip.address;
    const groups = expandIpv6(ip.address);
    return `${groups.slice(0, 4).join(':')}::/64`;
  }

  /** Milliseconds the client must still wait, 0 when it may try now. */
  retryAfterMs(address: string | undefined): number {
    const entry = this.#live(FailureBackoff.clientKey(address));
    return entry ? Math.max(0, entry.blockedUntil - this.#clock.now()) : 0;
  }

  recordFailure(address: string | undefined): void {
    const key = FailureBackoff.clientKey(address);
    const now = this.#clock.now();
    const entry = this.#live(key) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailureAt = now;
    const over = entry.failures - this.#free;
    if (over > 0) entry.blockedUntil = now + backoffDelayMs(over - 1, { baseMs: this.#base, maxMs: this.#max });
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxClients) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** A successful check clears the client's record. */
  recordSuccess(address: string | undefined): void {
    this.#entries.delete(FailureBackoff.clientKey(address));
  }

  #live(key: string): Entry | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    const now = this.#clock.now();
    if (now - entry.lastFailureAt > this.#forget && now >= entry.blockedUntil) {
      this.#entries.delete(key);
      return null;
    }
    return entry;
  }
}

function expandIpv6(address: string): string[] {
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const fill = Array(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...fill, ...right].map((g) => g.padStart(4, '0'));
}
