import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived signed storage URLs like R2/B2 presigned links: `exp` (unix seconds) and an
 * HMAC over the path and expiry. `revokeAll()` makes every URL issued so far count as
 * expired, so tests need not wait.
 */
export class SignedUrls {
  readonly #key = randomBytes(32);
  #ttlSec: number;
  #revokedBefore = 0;

  constructor(ttlSec: number) {
    this.#ttlSec = ttlSec;
  }

  set ttlSec(value: number) {
    this.#ttlSec = value;
  }

  #sig(path: string, exp: number, iat: number): string {
    return createHmac('sha256', this.#key).update(`${path}|${exp}|${iat}`).digest('hex').slice(0, 32);
  }

  sign(base: string, path: string): string {
    const now = Date.now();
    const exp = Math.floor(now / 1000) + this.#ttlSec;
    const url = new URL(path, base);
    url.searchParams.set('exp', String(exp));
    url.searchParams.set('iat', String(now));
    url.searchParams.set('sig', this.#sig(url.pathname, exp, now));
    return url.toString();
  }

  revokeAll(): void {
    this.#revokedBefore = Date.now() + 1;
  }

  /** 'ok', 'expired' or 'invalid'. */
  check(url: URL): 'ok' | 'expired' | 'invalid' {
    const exp = Number(url.searchParams.get('exp'));
    const iat = Number(url.searchParams.get('iat'));
    const sig = url.searchParams.get('sig') ?? '';
    const expected = this.#sig(url.pathname, exp, iat);
    if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) return 'invalid';
    if (exp * 1000 < Date.now() || iat < this.#revokedBefore) return 'expired';
    return 'ok';
  }
}
