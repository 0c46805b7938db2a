/**
 * Read-only calls to the registered servers of one kind, for the facades' lists (A1111's
 * /sd-models, ComfyUI's /object_info…): StableQueue answers for all its servers, so a list
 * is the union of what the online servers answer. A server that fails or lacks the route
 * is left out of that answer; no answer at all is an empty union.
 */
import type { AppType } from '../../../shared/servers.ts';
import { createBackendHttp } from '../backends/http-client.ts';
import { SECRET_NAMES } from '../secrets/secret-store.ts';
import type { ApiContext } from '../api/context.ts';
import type { RuntimeServer } from '../servers/server-registry.ts';

const READ_TIMEOUT_MS = 10_000;

export interface ServerAnswer {
  alias: string;
  body: unknown;
}

/** Enabled servers of this kind that are online now, least busy first. */
export function onlineServers(ctx: ApiContext, appType: AppType): RuntimeServer[] {
  return ctx.registry.all()
    .filter((s) => s.row.enabled && s.row.app_type === appType && s.health === 'online')
    .sort((a, b) => a.running - b.running);
}

/** Raw response of one server (status, bytes), for routes that pass a file or a status through. */
export async function requestServer(
  ctx: ApiContext, server: RuntimeServer, method: 'GET' | 'POST', path: string, body?: unknown, opts: { binary?: boolean; headers?: Record<string, string> } = {},
): Promise<{ status: number; data: Buffer | string; headers: Record<string, unknown> }> {
  const password = server.row.username ? await ctx.secrets.get(SECRET_NAMES.serverPassword(server.row.alias)) : null;
  const http = createBackendHttp({
    alias: server.row.alias, appType: server.row.app_type, apiUrl: server.row.api_url, username: server.row.username, password,
  });
  const res = await http.request({
    method, url: path, data: body, signal: AbortSignal.timeout(READ_TIMEOUT_MS),
    responseType: opts.binary ? 'arraybuffer' : 'text',
    headers: { ...(body !== undefined && !(body instanceof FormData) ? { 'Content-Type': 'application/json' } : {}), ...opts.headers },
  });
  const data = opts.binary ? Buffer.from(res.data as ArrayBuffer) : String(res.data ?? '');
  return { status: res.status, data, headers: res.headers as Record<string, unknown> };
}

/** GETs a JSON path from one server; null when it fails or answers non-2xx. */
export async function readServerJson(ctx: ApiContext, server: RuntimeServer, path: string): Promise<unknown> {
  try {
    const res = await requestServer(ctx, server, 'GET', path);
    if (res.status < 200 || res.status >= 300) return null;
    return JSON.parse(String(res.data));
  } catch {
    return null;
  }
}

/** The JSON answers of every online server of the kind, in parallel. */
export async function readAllServers(ctx: ApiContext, appType: AppType, path: string): Promise<ServerAnswer[]> {
  const servers = onlineServers(ctx, appType);
  const bodies = await Promise.all(servers.map((s) => readServerJson(ctx, s, path)));
  return servers.map((s, i) => ({ alias: s.row.alias, body: bodies[i] })).filter((a) => a.body !== null);
}

/** Lists joined without repeats, by the key each item is known by. */
export function unionBy(answers: ServerAnswer[], keyOf: (item: Record<string, unknown>) => unknown): Record<string, unknown>[] {
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const answer of answers) {
    if (!Array.isArray(answer.body)) continue;
    for (const item of answer.body as unknown[]) {
      const key = item && typeof item === 'object' ? JSON.stringify(keyOf(item as Record<string, unknown>)) : JSON.stringify(item);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item as Record<string, unknown>);
    }
  }
  return out;
}
