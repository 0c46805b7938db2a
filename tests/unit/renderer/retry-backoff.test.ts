import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import { createRetryBackoff } from '../../../renderer/src/stores/retry-backoff.ts';
import { useServers } from '../../../renderer/src/stores/servers.ts';
import { createFakeFetch } from './fake-fetch.ts';
import { serverView as server } from './server-view.ts';

describe('retry backoff', () => {
  it('doubles the wait after each failure up to the cap, and a success clears it', () => {
    const b = createRetryBackoff(1_000, 5_000);
    expect(b.blocked('k', 0)).toBe(false);
    b.failed('k', 0);
    expect(b.blocked('k', 999)).toBe(true);
    expect(b.blocked('k', 1_000)).toBe(false);
    b.failed('k', 1_000); // 2 s
    expect(b.blocked('k', 2_999)).toBe(true);
    expect(b.blocked('k', 3_000)).toBe(false);
    b.failed('k', 3_000); // 4 s
    b.failed('k', 7_000); // capped at 5 s, not 8 s
    expect(b.blocked('k', 11_999)).toBe(true);
    expect(b.blocked('k', 12_000)).toBe(false);
    b.succeeded('k');
    expect(b.blocked('k', 0)).toBe(false);
  });

  it('reset clears only the matching keys', () => {
    const b = createRetryBackoff(1_000);
    b.failed('a\u0000checkpoints', 0);
    b.failed('b\u0000checkpoints', 0);
    b.reset((k) => k.startsWith('a\u0000'));
    expect(b.blocked('a\u0000checkpoints', 10)).toBe(false);
    expect(b.blocked('b\u0000checkpoints', 10)).toBe(true);
  });
});

describe('servers store resource lists while a server is down', () => {
  it('asks once, not on every change, and again at once when the server comes back online', async () => {
    let up = false;
    const f = createFakeFetch({
      'GET /api/v1/servers/down/resources/checkpoints': () =>
        up ? { json: { items: [{ name: 'x', title: 'x' }] } } : { status: 502, json: { error: 'server_unreachable', message: 'down' } },
    });
    setApiClient(new ApiClient({ fetch: f.fetch }));
    setActivePinia(createPinia());
    const servers = useServers();
    servers.upsert(server('down', { status: 'offline' }));
    for (let i = 0; i < 30; i++) await servers.loadResources('down', 'checkpoints');
    expect(f.calls).toHaveLength(1);
    // The reload button still asks.
    await servers.loadResources('down', 'checkpoints', true);
    expect(f.calls).toHaveLength(2);
    up = true;
    servers.applyEvent({ type: 'server.status', server: server('down', { status: 'online' }) });
    expect((await servers.loadResources('down', 'checkpoints')).map((r) => r.name)).toEqual(['x']);
    expect(f.calls).toHaveLength(3);
  });
});
