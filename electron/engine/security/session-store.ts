import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';

export const SESSION_COOKIE = 'sq_session';
export const SESSION_TTL_MS = 30 * 24 * 60 * 60_000;

const hash = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * Browser sessions after a password login (headless on a LAN). The cookie carries 256
 * random bits; only their SHA-256 is kept, in memory, with an expiry. A restart signs
 * everyone out, which is also what makes a changed STABLEQUEUE_PASSWORD take effect at once.
 */
export class SessionStore {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #sessions = new Map<string, number>();

  constructor(clock: Clock, ttlMs = SESSION_TTL_MS, max = 1_000) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#max = max;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** A new session; returns the raw id for the cookie (it is not kept). */
  create(): string {
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(hash(id), this.#clock.now() + this.#ttlMs);
    // Oldest first: beyond the cap the oldest session is signed out.
    if (this.#sessions.size > this.#max) this.#sessions.delete(this.#sessions.keys().next().value!);
    return id;
  }

  isValid(id: string | undefined): boolean {
    if (!id || id.length > 128) return false;
    const key = hash(id);
    const expires = this.#sessions.get(key);
    if (expires === undefined) return false;
    if (expires <= this.#clock.now()) {
      this.#sessions.delete(key);
      return false;
    }
    return true;
  }

  revoke(id: string | undefined): void {
    if (id) this.#sessions.delete(hash(id));
  }

  clear(): void {
    this.#sessions.clear();
  }
}
