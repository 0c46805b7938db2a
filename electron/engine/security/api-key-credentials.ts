import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Public key ids start with this, so a leaked one is recognisable (e.g. by secret scanners). */
export const KEY_ID_PREFIX = 'sq_';
const KEY_ID_PATTERN = /^sq_[0-9a-f]{16}$/;
const SECRET_MAX_CHARS = 256;

/** The public lookup id: `sq_` + 16 hex chars (64 random bits; it is not the secret). */
export function newKeyId(): string {
  return `${KEY_ID_PREFIX}${randomBytes(8).toString('hex')}`;
}

/** The secret: 32 bytes from the CSPRNG, base64url (43 chars). Shown once, stored hashed. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 hex: enough for a 256-bit random secret (no salt or slow hash needed). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time: both sides are 32-byte digests, so timingSafeEqual never sees unequal lengths. */
export function secretMatches(secret: string, secretHashHex: string): boolean {
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  const stored = Buffer.from(secretHashHex, 'hex');
  if (stored.length !== presented.length) return false;
  return timingSafeEqual(presented, stored);
}

export function looksLikeKeyId(value: string): boolean {
  return KEY_ID_PATTERN.test(value);
}

export type PresentedCredentials =
  | { kind: 'none' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'key'; keyId: string; secret: string };

function single(value: string | string[] | undefined): string | undefined | null {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : null;
  return value;
}

/**
 * Reads an API key from `X-API-Key` + `X-API-Secret` or from
 * `Authorization: Bearer <key>.<secret>`. Other Authorization schemes (a proxy's Basic
 * auth) are not ours and are ignored, except where `basic` is set: the A1111-compatible
 * facade takes `Basic <key id>:<secret>` as A1111's --api-auth clients send it.
 */
export function readPresentedCredentials(
  headers: Record<string, string | string[] | undefined>, options: { basic?: boolean } = {},
): PresentedCredentials {
  const key = single(headers['x-api-key']);
  const secret = single(headers['x-api-secret']);
  if (key === null || secret === null) return { kind: 'malformed', reason: 'Send X-API-Key and X-API-Secret once each.' };
  if (key !== undefined || secret !== undefined) {
    if (!key || !secret) return { kind: 'malformed', reason: 'Send both X-API-Key and X-API-Secret.' };
    return checked(key.trim(), secret.trim());
  }
  const authorization = single(headers.authorization);
  if (authorization === null) return { kind: 'malformed', reason: 'Send one Authorization header.' };
  if (authorization === undefined) return { kind: 'none' };
  if (options.basic && /^basic\b/i.test(authorization)) return basicCredentials(authorization);
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!bearer) {
    if (/^bearer\b/i.test(authorization)) return { kind: 'malformed', reason: 'Use Authorization: Bearer <key>.<secret>.' };
    return { kind: 'none' };
  }
  const token = bearer[1];
  const dot = token.indexOf('.');
  if (dot <= 0 || dot === token.length - 1) return { kind: 'malformed', reason: 'Use Authorization: Bearer <key>.<secret> (the key id, a dot, the secret).' };
  return checked(token.slice(0, dot), token.slice(dot + 1));
}

/** `Basic base64(<key id>:<secret>)`. */
function basicCredentials(authorization: string): PresentedCredentials {
  const encoded = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization)?.[1];
  const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0) return { kind: 'malformed', reason: 'Use HTTP Basic auth with the API key id as the user name and its secret as the password.' };
  return checked(decoded.slice(0, colon), decoded.slice(colon + 1));
}

function checked(keyId: string, secret: string): PresentedCredentials {
  if (!looksLikeKeyId(keyId)) return { kind: 'malformed', reason: 'The API key id is not one StableQueue issues (it looks like sq_ followed by 16 hex characters).' };
  if (!secret || secret.length > SECRET_MAX_CHARS) return { kind: 'malformed', reason: 'The API secret is empty or too long.' };
  return { kind: 'key', keyId, secret };
}
