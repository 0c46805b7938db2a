import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret (password, launch token) with the expected one in constant
 * time: both are hashed to 32-byte digests first, so lengths never differ and the length
 * of the expected value does not leak.
 */
export function secretEquals(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
