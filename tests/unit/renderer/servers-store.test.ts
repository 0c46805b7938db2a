import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import { useServers } from '../../../renderer/src/stores/servers.ts';
import { createFakeFetch } from './fake-fetch.ts';
import { serverView as server } from './server-view.ts';

describe('servers store', () => {
  it('lists resources for one server, or the union of online servers of a type for auto', async () => {
    const f = createFakeFetch({
      'GET /api/v1/servers': () => ({ json: [server('a'), server('b'), server('down', { status: 'offline' }), server('c', { app_type: 'comfyui' })] }),
      'GET /api/v1/servers/a/resources/checkpoints': () => ({ json: { items: [{ name: 'x', title: 'x' }, { name: 'y', title: 'y' }] } }),
      'GET /api/v1/servers/b/resources/checkpoints': () => ({ json: { items: [{ name: 'y', title: 'y' }, { name: 'z', title: 'z' }] } }),
    });
    setApiClient(new ApiClient({ fetch: f.fetch }));
    setActivePinia(createPinia());
    const servers = useServers();
    await servers.fetchServers();
    await servers.loadResourcesFor('auto', 'forge', ['checkpoints']);
    expect(servers.resourcesFor('auto', 'forge', 'checkpoints').map((r) => r.name)).toEqual(['x', 'y', 'z']);
    expect(servers.resourcesFor('a', 'forge', 'checkpoints').map((r) => r.name)).toEqual(['x', 'y']);
    // Only online forge servers were asked; a second load within the TTL is cached.
    await servers.loadResourcesFor('auto', 'forge', ['checkpoints']);
    expect(f.calls.map((c) => c.url)).toEqual(['/api/v1/servers', '/api/v1/servers/a/resources/checkpoints', '/api/v1/servers/b/resources/checkpoints']);
  });

  it('applies server.status and server.deleted events', async () => {
    setApiClient(new ApiClient({ fetch: createFakeFetch().fetch }));
    setActivePinia(createPinia());
    const servers = useServers();
    servers.applyEvent({ type: 'server.status', server: server('a', { status: 'busy', running_jobs: 1 }) });
    expect(servers.byAlias.a).toMatchObject({ status: 'busy', running_jobs: 1 });
    servers.applyEvent({ type: 'server.deleted', alias: 'a' });
    expect(servers.list).toHaveLength(0);
  });
});
