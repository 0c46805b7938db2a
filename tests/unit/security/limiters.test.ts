import { describe, expect, it } from 'vitest';
import { FailureBackoff } from '../../../electron/engine/security/failure-backoff.ts';
import { SessionStore } from '../../../electron/engine/security/session-store.ts';
import { TokenBuckets } from '../../../electron/engine/security/token-bucket.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

describe('TokenBuckets (per-key rate limit)', () => {
  it('allows a burst of the per-minute limit, then one request per 60/limit seconds', () => {
    const clock = new FakeClock();
    const buckets = new TokenBuckets(clock);
    for (let i = 0; i < 6; i++) expect(buckets.take('k', 6).ok).toBe(true);
    const refused = buckets.take('k', 6);
    expect(refused).toEqual({ ok: false, retryAfterMs: 10_000 });
    clock.advance(9_999);
    expect(buckets.take('k', 6).ok).toBe(false);
    clock.advance(1);
    expect(buckets.take('k', 6).ok).toBe(true);
    // Other keys are independent.
    expect(buckets.take('other', 6).ok).toBe(true);
  });

  it('never holds more than the limit after a long idle time, and forgets on request', () => {
    const clock = new FakeClock();
    const buckets = new TokenBuckets(clock);
    buckets.take('k', 2);
    clock.advance(3_600_000);
    expect(buckets.take('k', 2).ok).toBe(true);
    expect(buckets.take('k', 2).ok).toBe(true);
    expect(buckets.take('k', 2).ok).toBe(false);
    buckets.forget('k');
    expect(buckets.take('k', 2).ok).toBe(true);
  });

  it('stays bounded in memory', () => {
    const buckets = new TokenBuckets(new FakeClock(), 100);
    for (let i = 0; i < 1_000; i++) buckets.take(`k${i}`, 1);
    // The oldest were dropped: they start full again rather than blocked.
    expect(buckets.take('k0', 1).ok).toBe(true);
    expect(buckets.take('k999', 1).ok).toBe(false);
  });
});

describe('FailureBackoff (failed credential checks per address)', () => {
  it('lets the free attempts through, then doubles the wait per failure up to the cap', () => {
    const clock = new FakeClock();
    const backoff = new FailureBackoff(clock, { freeAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 8_000 });
    for (let i = 0; i < 3; i++) {
      expect(backoff.retryAfterMs('10.0.0.1')).toBe(0);
      backoff.recordFailure('10.0.0.1');
    }
    expect(backoff.retryAfterMs('10.0.0.1')).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      backoff.recordFailure('10.0.0.1');
      waits.push(backoff.retryAfterMs('10.0.0.1'));
      clock.advance(waits[waits.length - 1]);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(backoff.retryAfterMs('10.0.0.2')).toBe(0);
  });

  it('clears on success and forgets quiet clients', () => {
    const clock = new FakeClock();
    const backoff = new FailureBackoff(clock, { freeAttempts: 0, forgetAfterMs: 60_000 });
    backoff.recordFailure('::ffff:192.168.1.9');
    expect(backoff.retryAfterMs('192.168.1.9')).toBe(1_000);
    backoff.recordSuccess('192.168.1.9');
    expect(backoff.retryAfterMs('192.168.1.9')).toBe(0);
    backoff.recordFailure('192.168.1.9');
    backoff.recordFailure('192.168.1.9');
    clock.advance(61_000);
    backoff.recordFailure('192.168.1.9');
    expect(backoff.retryAfterMs('192.168.1.9')).toBe(1_000);
  });

  it('groups IPv6 clients by /64', () => {
    expect(FailureBackoff.clientKey('2001:db8:1:2:aaaa::1')).toBe(FailureBackoff.clientKey('2001:db8:1:2:bbbb::2'));
    expect(FailureBackoff.clientKey('2001:db8:1:2::1')).not.toBe(FailureBackoff.clientKey('2001:db8:1:3::1'));
    expect(FailureBackoff.clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });
});

describe('SessionStore', () => {
  it('issues random ids, validates until expiry, revokes', () => {
    const clock = new FakeClock();
    const sessions = new SessionStore(clock, 1_000);
    const a = sessions.create();
    const b = sessions.create();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.isValid(a)).toBe(true);
    expect(sessions.isValid(`${a}x`)).toBe(false);
    expect(sessions.isValid(undefined)).toBe(false);
    sessions.revoke(b);
    expect(sessions.isValid(b)).toBe(false);
    clock.advance(1_000);
    expect(sessions.isValid(a)).toBe(false);
  });

  it('caps the number of sessions, signing out the oldest', () => {
    const sessions = new SessionStore(new FakeClock(), 60_000, 3);
    const ids = [sessions.create(), sessions.create(), sessions.create(), sessions.create()];
    expect(ids.map((id) => sessions.isValid(id))).toEqual([false, true, true, true]);
  });
});
