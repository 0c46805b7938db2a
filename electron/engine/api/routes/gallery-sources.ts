import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { GallerySourceInputSchema, GallerySourceSchema, type GallerySourceInput } from '../../../../shared/images.ts';
import type { SourceIndexer } from '../../gallery/source-indexer.ts';
import type { SourceStore } from '../../gallery/source-store.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };

/** Gallery sources: folders indexed in place. Adding one names a folder on this machine, so it is admin only. */
export function registerGallerySourceRoutes(app: FastifyInstance, _ctx: ApiContext, indexer: SourceIndexer, sources: SourceStore): void {
  const find = (id: number) => {
    const source = sources.find(id);
    if (!source) throw new ApiError(404, 'source_not_found', `No gallery source with id ${id}.`);
    return source;
  };

  app.get('/api/v1/gallery/sources', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], response: { 200: Type.Array(GallerySourceSchema) } },
  }, async () => indexer.list());

  app.post<{ Body: GallerySourceInput }>('/api/v1/gallery/sources', {
    config: { permission: 'admin' },
    schema: { tags: ['gallery'], summary: 'Index a folder in place (never moved or copied)', body: GallerySourceInputSchema, response: { 201: GallerySourceSchema, ...errors } },
  }, async (request, reply) => {
    if (request.body.path.includes('\0')) throw new ApiError(400, 'invalid_path', 'The path holds a NUL character.');
    const row = indexer.add(request.body.path, request.body.label);
    return reply.code(201).send(indexer.view(row));
  });

  app.delete<{ Params: { id: number } }>('/api/v1/gallery/sources/:id', {
    config: { permission: 'admin' },
    schema: { tags: ['gallery'], summary: 'Stop indexing the folder and remove its images from the gallery; its files stay', params: IdParams, response: { 200: Type.Object({ deleted: Type.Integer() }), ...errors } },
  }, async (request) => {
    find(request.params.id);
    await indexer.remove(request.params.id);
    return { deleted: request.params.id };
  });

  app.post<{ Params: { id: number } }>('/api/v1/gallery/sources/:id/rescan', {
    config: { permission: 'admin' },
    schema: { tags: ['gallery'], params: IdParams, response: { 202: GallerySourceSchema, ...errors } },
  }, async (request, reply) => {
    const source = find(request.params.id);
    void indexer.rescan(source.id);
    return reply.code(202).send(indexer.view(source));
  });
}
