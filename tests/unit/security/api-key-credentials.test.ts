import { describe, expect, it } from 'vitest';
import {
  hashSecret, newKeyId, newSecret, readPresentedCredentials, secretMatches,
} from '../../../electron/engine/security/api-key-credentials.ts';

describe('API key credentials', () => {
  it('issues sq_ + 16 hex key ids and 256-bit base64url secrets, all distinct', () => {
    const ids = new Set<string>();
    const secrets = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = newKeyId();
      const secret = newSecret();
      expect(id).toMatch(/^sq_[0-9a-f]{16}$/);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
      ids.add(id);
      secrets.add(secret);
    }
    expect(ids.size).toBe(200);
    expect(secrets.size).toBe(200);
  });

  it('stores a SHA-256 hex digest and compares in constant time against it', () => {
    const secret = newSecret();
    const hash = hashSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret);
    expect(secretMatches(secret, hash)).toBe(true);
    expect(secretMatches(`${secret}x`, hash)).toBe(false);
    expect(secretMatches('', hash)).toBe(false);
    // A damaged stored hash of another length never throws (timingSafeEqual would).
    expect(secretMatches(secret, 'abcd')).toBe(false);
  });

  it('reads X-API-Key + X-API-Secret and Authorization: Bearer <key>.<secret>', () => {
    const keyId = 'sq_0123456789abcdef';
    expect(readPresentedCredentials({})).toEqual({ kind: 'none' });
    expect(readPresentedCredentials({ 'x-api-key': keyId, 'x-api-secret': 's3cret' })).toEqual({ kind: 'key', keyId, secret: 's3cret' });
    expect(readPresentedCredentials({ authorization: `Bearer ${keyId}.s3cret` })).toEqual({ kind: 'key', keyId, secret: 's3cret' });
    expect(readPresentedCredentials({ authorization: `bearer   ${keyId}.a.b` })).toEqual({ kind: 'key', keyId, secret: 'a.b' });
    // A reverse proxy's Basic auth is not ours.
    expect(readPresentedCredentials({ authorization: 'Basic dXNlcjpwYXNz' })).toEqual({ kind: 'none' });
  });

  it('calls half-sent, duplicated or misshapen credentials malformed', () => {
    const keyId = 'sq_0123456789abcdef';
    for (const headers of [
      { 'x-api-key': keyId },
      { 'x-api-secret': 'x' },
      { 'x-api-key': [keyId, keyId], 'x-api-secret': 'x' },
      { 'x-api-key': 'not-a-key', 'x-api-secret': 'x' },
      { 'x-api-key': keyId, 'x-api-secret': 'x'.repeat(300) },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${keyId}` },
      { authorization: `Bearer ${keyId}.` },
      { authorization: 'Bearer .secret' },
      { authorization: ['Bearer a.b', 'Bearer c.d'] },
    ]) {
      expect(readPresentedCredentials(headers as never).kind, JSON.stringify(headers)).toBe('malformed');
    }
  });

  it('reads HTTP Basic <key id>:<secret> only where the caller asks for it (the A1111 facade)', () => {
    const keyId = 'sq_0123456789abcdef';
    const basic = (text: string) => ({ authorization: `Basic ${Buffer.from(text).toString('base64')}` });
    expect(readPresentedCredentials(basic(`${keyId}:s3cr:et`))).toEqual({ kind: 'none' });
    expect(readPresentedCredentials(basic(`${keyId}:s3cr:et`), { basic: true })).toEqual({ kind: 'key', keyId, secret: 's3cr:et' });
    for (const headers of [basic('admin:hunter2'), basic(`${keyId}`), basic(`${keyId}:`), { authorization: 'Basic !!!' }]) {
      expect(readPresentedCredentials(headers, { basic: true }).kind, JSON.stringify(headers)).toBe('malformed');
    }
  });
});
