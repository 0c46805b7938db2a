import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { EngineEvent } from '../../../shared/events.ts';
import type {
  AppType,
  ServerCreate,
  ServerResource,
  ServerResourceKind,
  ServerTestResult,
  ServerUpdate,
  ServerView,
} from '../../../shared/servers.ts';
import { useApi } from '../api/client.ts';
import { useLive } from './live.ts';
import { createRetryBackoff } from './retry-backoff.ts';

interface ResourceEntry {
  items: ServerResource[];
  loading: boolean;
  error: unknown;
  loadedAt: number;
}

const RESOURCE_TTL_MS = 60_000;

export const useServers = defineStore('servers', () => {
  const api = useApi();
  const list = ref<ServerView[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<unknown>(null);
  const tests = ref<Record<string, ServerTestResult & { at: number }>>({});
  const testing = ref<Record<string, boolean>>({});
  const resources = ref<Record<string, ResourceEntry>>({});
  // A server that is down answers every list request with an error; without this the
  // Generate view re-asks on each reactive change (dozens of requests in seconds).
  const resourceBackoff = createRetryBackoff();

  const byAlias = computed(() => Object.fromEntries(list.value.map((s) => [s.alias, s])));
  const online = computed(() => list.value.filter((s) => s.enabled && (s.status === 'online' || s.status === 'busy')));

  function ofType(appType: AppType): ServerView[] {
    return list.value.filter((s) => s.app_type === appType);
  }

  async function fetchServers(): Promise<void> {
    loading.value = true;
    try {
      list.value = await api.listServers();
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = err;
      throw err;
    } finally {
      loading.value = false;
    }
  }

  function upsert(server: ServerView, previousAlias?: string): void {
    const key = previousAlias ?? server.alias;
    const i = list.value.findIndex((s) => s.alias === key);
    const wasUp = i >= 0 && isUp(list.value[i]!);
    if (!wasUp && isUp(server)) resourceBackoff.reset((k) => k.startsWith(`${server.alias}\u0000`));
    if (i >= 0) list.value.splice(i, 1, server);
    else list.value.push(server);
  }

  async function create(body: ServerCreate): Promise<ServerView> {
    const server = await api.createServer(body);
    upsert(server);
    return server;
  }

  async function update(alias: string, body: ServerUpdate): Promise<ServerView> {
    const server = await api.updateServer(alias, body);
    upsert(server, alias);
    if (server.alias !== alias) dropResources(alias);
    return server;
  }

  /** Pauses one server (its current job finishes); `unload` frees its GPU once it is idle. */
  async function pause(alias: string, unload = false): Promise<ServerView> {
    const server = await api.pauseServer(alias, unload ? { unload: true } : {});
    upsert(server);
    return server;
  }

  async function resume(alias: string): Promise<ServerView> {
    const server = await api.resumeServer(alias);
    upsert(server);
    return server;
  }

  async function remove(alias: string): Promise<void> {
    await api.deleteServer(alias);
    list.value = list.value.filter((s) => s.alias !== alias);
    dropResources(alias);
  }

  async function test(alias: string): Promise<ServerTestResult> {
    testing.value[alias] = true;
    try {
      const result = await api.testServer(alias);
      tests.value[alias] = { ...result, at: Date.now() };
      const s = byAlias.value[alias];
      if (s) upsert({ ...s, status: result.status, loaded_checkpoint: result.loaded_checkpoint ?? s.loaded_checkpoint, status_message: result.ok ? null : result.message });
      return result;
    } finally {
      testing.value[alias] = false;
    }
  }

  function dropResources(alias: string): void {
    for (const key of Object.keys(resources.value)) if (key.startsWith(`${alias}\u0000`)) delete resources.value[key];
  }

  function resourceKey(alias: string, kind: ServerResourceKind): string {
    return `${alias}\u0000${kind}`;
  }

  function resourceEntry(alias: string, kind: ServerResourceKind): ResourceEntry | undefined {
    return resources.value[resourceKey(alias, kind)];
  }

  async function loadResources(alias: string, kind: ServerResourceKind, force = false): Promise<ServerResource[]> {
    const key = resourceKey(alias, kind);
    const entry = resources.value[key];
    if (entry && !force && (entry.loading || Date.now() - entry.loadedAt < RESOURCE_TTL_MS)) return entry.items;
    if (entry && !force && resourceBackoff.blocked(key)) return entry.items;
    resources.value[key] = { items: entry?.items ?? [], loading: true, error: null, loadedAt: entry?.loadedAt ?? 0 };
    try {
      const items = await api.serverResources(alias, kind);
      resources.value[key] = { items, loading: false, error: null, loadedAt: Date.now() };
      resourceBackoff.succeeded(key);
      return items;
    } catch (err) {
      resourceBackoff.failed(key);
      resources.value[key] = { items: entry?.items ?? [], loading: false, error: err, loadedAt: 0 };
      return entry?.items ?? [];
    }
  }

  /**
   * The resources a job can use: one server's list, or for "auto" the union over the
   * online servers of that app type (by name, first title wins).
   */
  function resourcesFor(target: string, appType: AppType, kind: ServerResourceKind): ServerResource[] {
    const aliases = target === 'auto' ? autoAliases(appType) : [target];
    const seen = new Map<string, ServerResource>();
    for (const alias of aliases) {
      for (const item of resourceEntry(alias, kind)?.items ?? []) if (!seen.has(item.name)) seen.set(item.name, item);
    }
    return [...seen.values()];
  }

  function isUp(s: ServerView): boolean {
    return s.status === 'online' || s.status === 'busy';
  }

  function autoAliases(appType: AppType): string[] {
    const candidates = list.value.filter((s) => s.app_type === appType && s.enabled);
    const up = candidates.filter(isUp);
    return (up.length ? up : candidates).map((s) => s.alias);
  }

  function resourcesLoading(target: string, appType: AppType, kind: ServerResourceKind): boolean {
    const aliases = target === 'auto' ? autoAliases(appType) : [target];
    return aliases.some((a) => resourceEntry(a, kind)?.loading);
  }

  async function loadResourcesFor(target: string, appType: AppType, kinds: ServerResourceKind[], force = false): Promise<void> {
    const aliases = target === 'auto' ? autoAliases(appType) : [target];
    await Promise.all(aliases.flatMap((a) => kinds.map((k) => loadResources(a, k, force))));
  }

  function applyEvent(event: EngineEvent): void {
    if (event.type === 'server.status') upsert(event.server);
    else if (event.type === 'server.deleted') {
      list.value = list.value.filter((s) => s.alias !== event.alias);
      dropResources(event.alias);
    }
  }

  const events = useLive();
  events.on(applyEvent);
  events.onResync(() => fetchServers());

  return {
    list, loading, loaded, error, tests, testing, resources, byAlias, online,
    ofType, fetchServers, create, update, remove, pause, resume, test, upsert,
    resourceEntry, loadResources, resourcesFor, resourcesLoading, loadResourcesFor, autoAliases, applyEvent,
  };
});
