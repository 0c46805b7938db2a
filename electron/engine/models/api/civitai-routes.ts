import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiError } from '../../api/errors.ts';
import { parseAir } from '../../civitai/air.ts';
import { parseCivitaiUrl } from '../../civitai/civitai-url.ts';
import { CIVITAI_PERIODS, CIVITAI_SORTS, type CivitaiModel } from '../../civitai/civitai-types.ts';
import type { ModelsServices } from '../models-services.ts';
import type { CivitaiModelResult, CivitaiSearchResponse } from '../../../../shared/civitai.ts';
import { imageInfo } from './image-info.ts';

const csv = (value: string | undefined): string[] | undefined => value?.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * The Civitai browser's API: search/browse with cursor paging (each result says which
 * versions are already in the library), model/version details, by-hash lookup, image
 * info, and MobileSD's `/api/v1/civitai/download-model`.
 */
export function registerCivitaiRoutes(app: FastifyInstance, services: ModelsServices): void {
  const { client, library, downloads } = services;
  const read = { permission: 'read' as const };

  const installed = () => {
    const versions = new Set<number>();
    const shas = new Set<string>();
    for (const row of library.store.all()) {
      if (row.civitai_version_id) versions.add(row.civitai_version_id);
      if (row.sha256) shas.add(row.sha256);
    }
    return (model: CivitaiModel) => (model.modelVersions ?? [])
      .filter((v) => versions.has(v.id) || (v.files ?? []).some((f) => f.hashes?.SHA256 && shas.has(f.hashes.SHA256.toLowerCase())))
      .map((v) => v.id);
  };

  app.get<{ Querystring: { query?: string; types?: string; base_models?: string; sort?: string; period?: string; nsfw?: boolean; cursor?: string; limit?: number; username?: string; tag?: string } }>('/api/v1/civitai/models', {
    config: read,
    schema: {
      tags: ['civitai'],
      summary: 'Search or browse Civitai models (cursor paging)',
      querystring: Type.Object({
        query: Type.Optional(Type.String({ maxLength: 200 })),
        types: Type.Optional(Type.String({ maxLength: 300, description: 'comma list: Checkpoint, LORA, LoCon, DoRA, TextualInversion, VAE…' })),
        base_models: Type.Optional(Type.String({ maxLength: 500, description: 'comma list of Civitai base models, e.g. SDXL 1.0,Pony' })),
        sort: Type.Optional(Type.Union(CIVITAI_SORTS.map((s) => Type.Literal(s)))),
        period: Type.Optional(Type.Union(CIVITAI_PERIODS.map((s) => Type.Literal(s)))),
        nsfw: Type.Optional(Type.Boolean()),
        cursor: Type.Optional(Type.String({ maxLength: 500 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
        username: Type.Optional(Type.String({ maxLength: 100 })),
        tag: Type.Optional(Type.String({ maxLength: 100 })),
      }),
    },
  }, async (request): Promise<CivitaiSearchResponse> => {
    const q = request.query;
    const page = await client.searchModels({
      query: q.query?.trim() || undefined, types: csv(q.types), baseModels: csv(q.base_models), sort: q.sort, period: q.period,
      nsfw: q.nsfw ?? false, cursor: q.cursor, limit: q.limit ?? 20, username: q.username, tag: q.tag,
    });
    const inLibrary = installed();
    return {
      items: page.items.map((m) => ({ ...m, installed_version_ids: inLibrary(m) })),
      next_cursor: page.metadata?.nextCursor !== undefined && page.metadata.nextCursor !== null ? String(page.metadata.nextCursor) : null,
    };
  });

  app.get<{ Params: { id: number } }>('/api/v1/civitai/models/:id', {
    config: read,
    schema: { tags: ['civitai'], params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) },
  }, async (request): Promise<CivitaiModelResult> => {
    const model = await client.getModel(request.params.id);
    return { ...model, installed_version_ids: installed()(model) };
  });

  app.get<{ Params: { id: number } }>('/api/v1/civitai/model-versions/:id', {
    config: read,
    schema: { tags: ['civitai'], params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) },
  }, async (request) => client.getVersion(request.params.id));

  app.get<{ Params: { hash: string } }>('/api/v1/civitai/by-hash/:hash', {
    config: read,
    schema: { tags: ['civitai'], params: Type.Object({ hash: Type.String({ pattern: '^[0-9a-fA-F]{8,64}$' }) }) },
  }, async (request) => {
    const version = await client.getVersionByHash(request.params.hash);
    if (!version) throw new ApiError(404, 'civitai_not_found', `Civitai knows no file with hash ${request.params.hash}.`);
    return version;
  });

  app.get('/api/v1/civitai/enums', { config: read, schema: { tags: ['civitai'] } }, async () => client.getEnums());

  app.get<{ Querystring: { url?: string; image_id?: number } }>('/api/v1/civitai/image-info', {
    config: read,
    schema: {
      tags: ['civitai'],
      summary: "A Civitai image's generation data, as StableQueue generation params",
      querystring: Type.Object({
        url: Type.Optional(Type.String({ maxLength: 2048, description: 'https://civitai.com/images/<id> (or civitai.red)' })),
        image_id: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
    },
  }, async (request) => {
    const id = request.query.image_id ?? (request.query.url ? parseCivitaiUrl(request.query.url, [new URL(client.baseUrl).host])?.imageId : null);
    if (!id) throw new ApiError(400, 'bad_image_reference', 'Give image_id or the URL of a Civitai image page (https://civitai.com/images/<id>).');
    const page = await client.getImages({ imageId: id, withMeta: true, nsfw: 'X', limit: 1 });
    const image = page.items.find((i) => i.id === id) ?? page.items[0];
    if (!image) throw new ApiError(404, 'civitai_not_found', `Civitai has no visible image ${id}.`);
    return imageInfo(image);
  });

  app.post<{ Body: { version_id?: number; model_id?: number; file_id?: number; url?: string; air?: string; subfolder?: string } }>('/api/v1/civitai/download-model', {
    config: { permission: 'admin' },
    schema: {
      tags: ['civitai'],
      summary: 'Queue a Civitai model file for download into the library',
      body: Type.Object({
        version_id: Type.Optional(Type.Integer({ minimum: 1 })),
        model_id: Type.Optional(Type.Integer({ minimum: 1, description: 'without version_id: the newest version' })),
        file_id: Type.Optional(Type.Integer({ minimum: 1, description: 'files[].id; default: the primary file' })),
        url: Type.Optional(Type.String({ maxLength: 2048, description: 'a civitai.com / civitai.red model or download link' })),
        air: Type.Optional(Type.String({ maxLength: 200 })),
        subfolder: Type.Optional(Type.String({ maxLength: 200 })),
      }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const body = request.body;
    let versionId = body.version_id ?? null;
    let modelId = body.model_id ?? null;
    let fileId = body.file_id ?? null;
    if (body.url) {
      const ref = parseCivitaiUrl(body.url, [new URL(client.baseUrl).host]);
      if (!ref || (ref.modelId === null && ref.versionId === null)) throw new ApiError(400, 'bad_civitai_url', `"${body.url}" is not a Civitai model or download link.`);
      versionId ??= ref.versionId;
      modelId ??= ref.modelId;
      fileId ??= ref.fileId;
    }
    if (body.air) {
      const air = parseAir(body.air);
      if (!air || air.source !== 'civitai') throw new ApiError(400, 'bad_air', `"${body.air}" is not a Civitai AIR.`);
      versionId ??= air.versionId;
      modelId ??= air.modelId;
    }
    if (!versionId && modelId) {
      const model = await client.getModel(modelId);
      versionId = model.modelVersions?.[0]?.id ?? null;
      if (!versionId) throw new ApiError(404, 'civitai_not_found', `Civitai model ${modelId} has no published version.`);
    }
    if (!versionId) throw new ApiError(400, 'missing_version', 'Give version_id, model_id, a Civitai url or an AIR.');
    const { download, existing } = await downloads.enqueue({ versionId, fileId, subfolder: body.subfolder ?? null });
    return reply.code(existing ? 200 : 202).send({ download, already_installed: existing !== null, model_id: existing?.id ?? null });
  });
}
