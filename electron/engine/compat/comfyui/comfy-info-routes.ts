/**
 * ComfyUI's read-only server info over all of StableQueue's ComfyUI servers: /object_info
 * from a server that can run the caller's jobs (the least busy online one), /embeddings
 * and /models as the union of the servers' lists, /system_stats with every server's
 * devices, /features as StableQueue supports them.
 */
import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../../../shared/limits.ts';
import type { CompatContext } from '../compat-context.ts';
import { onlineServers, readAllServers, readServerJson, unionBy } from '../server-reads.ts';

export function registerComfyInfoRoutes(scope: FastifyInstance, compat: CompatContext): void {
  const { ctx } = compat;
  const read = { config: { permission: 'read' as const }, schema: { tags: ['comfyui'] } };

  async function fromOneServer(path: string): Promise<unknown> {
    for (const server of onlineServers(ctx, 'comfyui')) {
      const body = await readServerJson(ctx, server, path);
      if (body !== null) return body;
    }
    return null;
  }

  scope.get('/object_info', read, async () => await fromOneServer('/object_info') ?? {});
  scope.get<{ Params: { node: string } }>('/object_info/:node', read, async (request) =>
    await fromOneServer(`/object_info/${encodeURIComponent(request.params.node)}`) ?? {});

  scope.get('/embeddings', read, async () => unionBy(await readAllServers(ctx, 'comfyui', '/embeddings'), (x) => x));
  scope.get('/models', read, async () => unionBy(await readAllServers(ctx, 'comfyui', '/models'), (x) => x));
  scope.get<{ Params: { folder: string } }>('/models/:folder', read, async (request, reply) => {
    const answers = await readAllServers(ctx, 'comfyui', `/models/${encodeURIComponent(request.params.folder)}`);
    if (!answers.length) return reply.code(404).send();
    return unionBy(answers, (x) => x);
  });

  scope.get('/system_stats', read, async () => {
    const answers = await readAllServers(ctx, 'comfyui', '/system_stats');
    const first = (answers[0]?.body ?? {}) as { system?: Record<string, unknown> };
    const devices = answers.flatMap((a) => ((a.body as { devices?: Record<string, unknown>[] }).devices ?? [])
      .map((d) => ({ ...d, name: `${a.alias}: ${String(d.name ?? 'device')}` })));
    return { system: first.system ?? { os: process.platform, comfyui_version: 'StableQueue', argv: [] }, devices };
  });

  scope.get('/features', read, async () => ({ supports_preview_metadata: false, max_upload_size: LIMITS.bodyBytes }));
}
