import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import type { ModelUsage } from '../../../../shared/model-usage.ts';
import { ModelKindSchema, ModelListResponseSchema, ModelViewSchema, ScanStateSchema, type ModelKind } from '../../../../shared/models.ts';
import { ApiError } from '../../api/errors.ts';
import { checkForUpdates } from '../civitai-sync/check-updates.ts';
import type { ModelRow } from '../library/model-row.ts';
import { toModelView } from '../library/model-view.ts';
import type { ModelsServices } from '../models-services.ts';
import { readCivitaiInfo } from '../sidecars/civitai-info.ts';
import { PyFloat, type PyValue } from '../sidecars/python-json.ts';
import { allSidecarNames, civitaiInfoPath, userJsonPath } from '../sidecars/sidecar-paths.ts';
import { readUserMetadata } from '../sidecars/user-metadata.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema };
const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif' };

/** Python-typed JSON (floats, big ints) as plain JSON for the API. */
function plain(value: PyValue | undefined): unknown {
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value ?? null;
}

type ModelSort = 'name' | 'size' | 'modified' | 'base_model' | 'usage' | 'recent';
/** More files than any library holds: "all matching" when sorting by use. */
const MAX_LIBRARY_ROWS = 1_000_000;

/** Most used (or most recently used) first; unused models keep their name order after them. */
function sortByUse(rows: ModelRow[], usage: Map<number, ModelUsage>, by: 'usage' | 'recent'): ModelRow[] {
  const jobs = (row: ModelRow) => usage.get(row.id)?.jobs ?? 0;
  const last = (row: ModelRow) => usage.get(row.id)?.last_used_at ?? '';
  return [...rows].sort(by === 'usage'
    ? (a, b) => jobs(b) - jobs(a) || last(b).localeCompare(last(a))
    : (a, b) => last(b).localeCompare(last(a)) || jobs(b) - jobs(a));
}

/** GET /api/v1/models (+ info, preview), scans, Civitai identification and update checks. */
export function registerModelRoutes(app: FastifyInstance, services: ModelsServices): void {
  const { library } = services;
  const find = (id: number): ModelRow => {
    const row = library.store.get(id);
    if (!row) throw new ApiError(404, 'model_not_found', `No model with id ${id}; the library may have been rescanned.`);
    return row;
  };

  app.get<{ Querystring: { kind?: ModelKind; base_model?: string; q?: string; civitai?: 'found' | 'not_found' | 'unknown'; updates?: boolean; favourite?: boolean; collection?: number; sort?: ModelSort; limit?: number; offset?: number } }>('/api/v1/models', {
    config: { permission: 'read' },
    schema: {
      tags: ['models'],
      summary: 'The local model library, filtered and paged',
      querystring: Type.Object({
        kind: Type.Optional(ModelKindSchema),
        base_model: Type.Optional(Type.String({ maxLength: 32, description: 'SD1, SD2, SDXL, Pony, Illustrious, NoobAI, Flux, SD3, SD3.5, Other, Unknown' })),
        q: Type.Optional(Type.String({ maxLength: 200, description: 'text in the path, Civitai name, trigger words or a hash prefix' })),
        civitai: Type.Optional(Type.Union([Type.Literal('found'), Type.Literal('not_found'), Type.Literal('unknown')])),
        updates: Type.Optional(Type.Boolean({ description: 'only models with a newer version on Civitai' })),
        favourite: Type.Optional(Type.Boolean({ description: 'only starred models' })),
        collection: Type.Optional(Type.Integer({ minimum: 1, description: 'only models in this collection' })),
        sort: Type.Optional(Type.Union([Type.Literal('name'), Type.Literal('size'), Type.Literal('modified'), Type.Literal('base_model'), Type.Literal('usage'), Type.Literal('recent')], {
          description: 'usage: most jobs first; recent: most recently used first (both then by name)',
        })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
      }),
      response: { 200: ModelListResponseSchema, ...errors },
    },
  }, async (request) => {
    const q = request.query;
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const filter = { kind: q.kind, baseModel: q.base_model, q: q.q?.trim() || undefined, civitai: q.civitai, updates: q.updates, favourite: q.favourite, collection: q.collection };
    const byUse = q.sort === 'usage' || q.sort === 'recent';
    // Usage comes from the jobs, not a models column: sort the (small) matching set here.
    const result = library.store.list({ ...filter, sort: byUse ? 'name' : q.sort as Exclude<ModelSort, 'usage' | 'recent'> | undefined, limit: byUse ? MAX_LIBRARY_ROWS : limit, offset: byUse ? 0 : offset });
    const rows = byUse ? sortByUse(result.rows, services.usage.all(), q.sort as 'usage' | 'recent').slice(offset, offset + limit) : result.rows;
    return {
      items: services.marks.decorate(rows.map(toModelView)), total: result.total, limit, offset,
      facets: { kinds: result.kinds, base_models: result.baseModels },
      scan: library.scanState(await library.rootStates()),
    };
  });

  app.get('/api/v1/models/scan', {
    config: { permission: 'read' },
    schema: { tags: ['models'], summary: 'Scan and hashing state', response: { 200: ScanStateSchema } },
  }, async () => library.scanState(await library.rootStates()));

  app.get<{ Params: { id: number } }>('/api/v1/models/:id', {
    config: { permission: 'read' },
    schema: { tags: ['models'], params: IdParams, response: { 200: ModelViewSchema, ...errors } },
  }, async (request) => services.marks.decorate([toModelView(find(request.params.id))])[0]);

  app.get<{ Params: { id: number } }>('/api/v1/models/:id/info', {
    config: { permission: 'read' },
    schema: { tags: ['models'], summary: 'A model with its sidecars (user metadata, .civitai.info) and header metadata', params: IdParams },
  }, async (request) => {
    const row = find(request.params.id);
    const user = await readUserMetadata(userJsonPath(row.abs_path));
    const info = await readCivitaiInfo(civitaiInfoPath(row.abs_path));
    const header = row.header_json ? JSON.parse(row.header_json) as { meta: Record<string, string>; tensors_family: string | null } : null;
    const dir = path.dirname(row.abs_path);
    const present = new Set(await fs.promises.readdir(dir).catch(() => [] as string[]));
    return {
      ...toModelView(row),
      path: row.abs_path,
      user_metadata: user.state === 'ok' ? plain(user.data) : null,
      user_metadata_error: user.state === 'invalid' ? user.error : null,
      civitai_info: info ? plain(info) : null,
      header_metadata: header?.meta ?? null,
      detected_architecture: header?.tensors_family ?? null,
      sidecars: allSidecarNames(path.basename(row.abs_path)).filter((n) => present.has(n)),
    };
  });

  app.get<{ Params: { id: number } }>('/api/v1/models/:id/preview', {
    config: { permission: 'read' },
    schema: { tags: ['models'], summary: 'The preview image next to the model file', params: IdParams, response: errors },
  }, async (request, reply) => {
    const row = find(request.params.id);
    if (!row.preview_file) throw new ApiError(404, 'no_preview', `${row.name} has no preview image.`);
    const file = path.join(path.dirname(row.abs_path), row.preview_file);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat) throw new ApiError(404, 'no_preview', `The preview of ${row.name} is gone; rescan the library.`);
    const etag = `"${stat.size.toString(16)}-${Math.trunc(stat.mtimeMs).toString(16)}"`;
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply
      .header('Content-Type', IMAGE_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream')
      .header('Cache-Control', 'private, max-age=300')
      .header('ETag', etag)
      .send(fs.createReadStream(file));
  });

  app.post<{ Body: { force?: boolean; wait?: boolean; identify?: boolean } | undefined }>('/api/v1/models/scan', {
    config: { permission: 'admin' },
    schema: {
      tags: ['models'],
      summary: 'Rescan the library folders (hashing continues in the background)',
      body: Type.Optional(Type.Object({
        force: Type.Optional(Type.Boolean({ description: 're-read every sidecar' })),
        wait: Type.Optional(Type.Boolean({ description: 'answer when the scan (not the hashing) is done' })),
        identify: Type.Optional(Type.Boolean({ description: 'look new files up on Civitai once hashed' })),
      }, { additionalProperties: false })),
    },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const scan = library.scan({ force: body.force });
    if (body.identify) {
      void scan.then(() => library.hashes.idle()).then(() => services.identifier.identify()).catch((error: Error) => {
        request.log.warn({ err: error.message }, 'identification after scan failed');
      });
    }
    if (body.wait) {
      const result = await scan;
      return { result: { files: result.files, inserted: result.inserted, changed: result.changed, sidecars: result.sidecars, removed: result.removed, ms: result.ms }, scan: library.scanState() };
    }
    scan.catch((error: Error) => request.log.error({ err: error }, 'library scan failed'));
    return reply.code(202).send({ scan: { ...library.scanState(), scanning: true } });
  });

  app.post<{ Body: { ids?: number[]; force?: boolean } | undefined }>('/api/v1/models/identify', {
    config: { permission: 'admin' },
    schema: {
      tags: ['models'],
      summary: 'Identify hashed models on Civitai (bulk by-hash) and write their sidecars',
      body: Type.Optional(Type.Object({
        ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 10_000 })),
        force: Type.Optional(Type.Boolean()),
      }, { additionalProperties: false })),
    },
  }, async (request) => services.identifier.identify({ ids: request.body?.ids, force: request.body?.force }));

  app.post('/api/v1/models/check-updates', {
    config: { permission: 'admin' },
    schema: { tags: ['models'], summary: 'Check identified models for newer versions on Civitai' },
  }, async () => checkForUpdates(library, services.client));
}
