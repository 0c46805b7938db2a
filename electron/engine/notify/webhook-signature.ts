import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `X-StableQueue-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`. Signing the timestamp with the body lets a receiver refuse a replayed
 * delivery by its age; `v1` leaves room for another scheme later.
 */
export const SIGNATURE_HEADER = 'X-StableQueue-Signature';
export const DELIVERY_HEADER = 'X-StableQueue-Delivery';

export function signatureHeader(secret: string, unixSeconds: number, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver does: true when the header signs this body with this secret. */
export function verifySignature(secret: string, header: string, rawBody: string | Buffer): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || typeof parts.v1 !== 'string') return false;
  const expected = Buffer.from(signatureHeader(secret, t, rawBody).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
