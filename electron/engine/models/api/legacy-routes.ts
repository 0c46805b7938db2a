import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { closestCheckpoints, resolveCheckpoint, type CheckpointEntry } from '../../backends/checkpoint-resolver.ts';
import { ApiError } from '../../api/errors.ts';
import type { ModelRow } from '../library/model-row.ts';
import { toModelView } from '../library/model-view.ts';
import type { ModelsServices } from '../models-services.ts';

/** MobileSD's listing shape (`filename`, `relativePath` = the folder) plus the library's facts. */
function legacyEntry(row: ModelRow) {
  const view = toModelView(row);
  return {
    id: row.id,
    filename: view.file_name,
    relativePath: view.folder,
    path: row.rel_path,
    name: row.name,
    size: row.size,
    sha256: row.sha256,
    hash: view.autov2,
    base_model: row.base_model,
    base_model_label: row.base_model_label,
    preview_url: view.preview_url,
    civitai: view.civitai,
  };
}

function entries(rows: ModelRow[]): CheckpointEntry[] {
  return rows.map((r) => ({ title: r.rel_path, hash: r.sha256?.slice(0, 10) ?? null, sha256: r.sha256, filename: r.abs_path }));
}

/**
 * MobileSD's endpoints: `/api/v1/checkpoints` and `/api/v1/loras` (the local library),
 * `/api/v1/debug/verify-checkpoint` (how a name resolves locally and on a server) and
 * `/api/v1/debug/models-cache` (the library index).
 */
export function registerLegacyModelRoutes(app: FastifyInstance, services: ModelsServices): void {
  const { library, ctx } = services;
  const read = { permission: 'read' as const };

  app.get('/api/v1/checkpoints', { config: read, schema: { tags: ['models'], summary: 'Checkpoints in the local library (seed shape)' } },
    async () => library.store.all('checkpoint').map(legacyEntry));

  app.get('/api/v1/loras', { config: read, schema: { tags: ['models'], summary: 'LoRAs in the local library (seed shape)' } },
    async () => library.store.all('lora').map(legacyEntry));

  app.get<{ Querystring: { name: string; server?: string } }>('/api/v1/debug/verify-checkpoint', {
    config: read,
    schema: {
      tags: ['models'],
      summary: 'How a checkpoint name resolves in the library and on a server',
      querystring: Type.Object({ name: Type.String({ minLength: 1, maxLength: 1024 }), server: Type.Optional(Type.String({ maxLength: 64 })) }),
    },
  }, async (request) => {
    const { name, server: alias } = request.query;
    const local = library.store.all('checkpoint');
    const localMatch = resolveCheckpoint(name, entries(local));
    const localRow = localMatch ? local.find((r) => r.rel_path === localMatch.title) ?? null : null;
    let server: Record<string, unknown> | null = null;
    if (alias) {
      const runtime = ctx.registry.get(alias);
      if (!runtime) throw new ApiError(404, 'unknown_server', `No server named "${alias}".`);
      await ctx.registry.refreshCheckpoints(runtime);
      const list = runtime.checkpoints;
      const match = list ? resolveCheckpoint(name, list) : null;
      server = {
        alias,
        status: ctx.registry.statusOf(runtime),
        checkpoints_known: list !== null,
        checkpoint_count: list?.length ?? 0,
        match,
        closest: list && !match ? closestCheckpoints(name, list) : [],
        loaded_checkpoint: runtime.loadedCheckpoint,
      };
    }
    return {
      name,
      local: { match: localMatch, model: localRow ? legacyEntry(localRow) : null, closest: localMatch ? [] : closestCheckpoints(name, entries(local)) },
      server,
    };
  });

  app.get<{ Querystring: { limit?: number } }>('/api/v1/debug/models-cache', {
    config: read,
    schema: {
      tags: ['models'],
      summary: 'The library index (the hash cache): state, counts and rows',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 5000, default: 200 })) }),
    },
  }, async (request) => {
    const rows = library.store.all();
    const counts: Record<string, Record<string, number>> = {};
    for (const row of rows) {
      counts[row.kind] ??= { total: 0, hashed: 0, identified: 0, with_preview: 0 };
      const c = counts[row.kind];
      c.total++;
      if (row.sha256) c.hashed++;
      if (row.civitai_status === 'found') c.identified++;
      if (row.preview_file) c.with_preview++;
    }
    return {
      scan: library.scanState(await library.rootStates()),
      counts,
      downloads: services.downloads.list().filter((d) => ['queued', 'active', 'paused', 'verifying'].includes(d.status)).length,
      models: rows.slice(0, request.query.limit ?? 200).map((r) => ({
        id: r.id, kind: r.kind, path: r.abs_path, rel_path: r.rel_path, size: r.size, mtime_ms: r.mtime_ms,
        sha256: r.sha256, autov3: r.autov3 ? r.autov3.slice(0, 12) : null, hash_error: r.hash_error,
        base_model: r.base_model, base_model_source: r.base_model_source, civitai_status: r.civitai_status,
        civitai_version_id: r.civitai_version_id, preview_file: r.preview_file,
      })),
    };
  });
}
