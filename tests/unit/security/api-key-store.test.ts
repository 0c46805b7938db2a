import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../electron/engine/db/connection.ts';
import { ApiKeyStore } from '../../../electron/engine/security/api-key-store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

describe('ApiKeyStore', () => {
  let db: Db;
  let clock: FakeClock;
  let store: ApiKeyStore;
  beforeEach(() => {
    db = openDatabase(':memory:');
    clock = new FakeClock();
    store = new ApiKeyStore(db, clock);
  });
  afterEach(() => db.close());

  it('creates the first key exactly like the hundredth, and keeps only the hash', () => {
    const created = Array.from({ length: 100 }, (_, i) => store.create({ name: `k${i}`, permissions: ['read'] }));
    const shapes = created.map(({ key }) => Object.keys(key).sort().join(','));
    expect(new Set(shapes).size).toBe(1);
    expect(created[0].key).toMatchObject({ active: true, permissions: ['read'], rateLimitPerMinute: 600, maxQueueDepth: 500, lastUsed: null });
    const rows = JSON.stringify(db.prepare('SELECT * FROM api_keys').all());
    for (const { secret } of created) expect(rows).not.toContain(secret);
    expect(store.list()).toHaveLength(100);
  });

  it('verifies: right secret ok, wrong secret, unknown id, disabled, deleted', () => {
    const { key, secret } = store.create({ name: 'ext', permissions: ['submit', 'read'] });
    expect(store.verify(key.keyId, secret)).toMatchObject({ ok: true, key: { id: key.id } });
    expect(store.verify(key.keyId, `${secret}x`)).toEqual({ ok: false, reason: 'wrong_secret' });
    expect(store.verify('sq_ffffffffffffffff', secret)).toEqual({ ok: false, reason: 'unknown' });
    store.update(key.id, { active: false });
    expect(store.verify(key.keyId, secret)).toEqual({ ok: false, reason: 'disabled' });
    // A disabled key is only reported as such to someone holding its secret.
    expect(store.verify(key.keyId, 'guess')).toEqual({ ok: false, reason: 'wrong_secret' });
    store.update(key.id, { active: true });
    expect(store.verify(key.keyId, secret).ok).toBe(true);
    expect(store.delete(key.id)).toBe(true);
    expect(store.verify(key.keyId, secret)).toEqual({ ok: false, reason: 'unknown' });
    expect(store.delete(key.id)).toBe(false);
  });

  it('updates permissions, name and limits; writes last_used at most once a minute', () => {
    const { key } = store.create({ name: 'a', permissions: ['read'] });
    expect(store.update(key.id, { name: 'b', permissions: ['admin', 'admin'], rateLimitPerMinute: 5, maxQueueDepth: 2 }))
      .toMatchObject({ name: 'b', permissions: ['admin'], rateLimitPerMinute: 5, maxQueueDepth: 2 });
    store.touch(key.id);
    const first = store.get(key.id)!.lastUsed;
    expect(first).toBe(new Date(clock.now()).toISOString());
    clock.advance(30_000);
    store.touch(key.id);
    expect(store.get(key.id)!.lastUsed).toBe(first);
    clock.advance(31_000);
    store.touch(key.id);
    expect(store.get(key.id)!.lastUsed).toBe(new Date(clock.now()).toISOString());
  });

  it('grants nothing when a stored permissions value is damaged', () => {
    const { key, secret } = store.create({ name: 'a', permissions: ['admin'] });
    db.prepare('UPDATE api_keys SET permissions = ? WHERE id = ?').run('["root"]', key.id);
    expect(store.verify(key.keyId, secret)).toMatchObject({ ok: true, key: { permissions: [] } });
    db.prepare('UPDATE api_keys SET permissions = ? WHERE id = ?').run('{not json', key.id);
    expect(store.get(key.id)!.permissions).toEqual([]);
  });
});
