import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { GalleryImageSchema, GalleryTrashListSchema } from '../../../../shared/images.ts';
import { toGalleryImage } from '../../gallery/gallery-view.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };

/** The gallery's trash: deleted images wait here (gallery_trash_days) and can be restored. */
export function registerGalleryTrashRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const findTrashed = (id: number) => {
    const row = ctx.gallery.find(id);
    if (!row || row.state !== 'trash') throw new ApiError(404, 'not_in_trash', `No image with id ${id} in the trash.`);
    return row;
  };

  app.get<{ Querystring: { limit?: number } }>('/api/v1/gallery/trash', {
    config: { permission: 'read' },
    schema: {
      tags: ['gallery'],
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })) }, { additionalProperties: false }),
      response: { 200: GalleryTrashListSchema },
    },
  }, async (request) => {
    const { rows, total } = ctx.gallery.trash(request.query.limit ?? 200);
    const extras = ctx.gallery.extras(rows.map((r) => r.id));
    return {
      total,
      items: rows.map((row) => ({
        image: toGalleryImage(row, extras), deleted_at: row.deleted_at ?? '', purge_at: ctx.galleryService.purgeAt(row),
        file_in_trash: row.trash_file !== null,
      })),
    };
  });

  app.post<{ Params: { id: number } }>('/api/v1/gallery/trash/:id/restore', {
    config: { permission: 'admin' },
    schema: { tags: ['gallery'], summary: 'Undo a delete: the file back where it was, the image back in the gallery', params: IdParams, response: { 200: GalleryImageSchema, ...errors } },
  }, async (request) => {
    await ctx.galleryService.restore(findTrashed(request.params.id));
    const row = ctx.gallery.find(request.params.id)!;
    return toGalleryImage(row, ctx.gallery.extras([row.id]));
  });

  app.delete<{ Params: { id: number } }>('/api/v1/gallery/trash/:id', {
    config: { permission: 'admin' },
    schema: { tags: ['gallery'], summary: 'Purge now: the trashed file is deleted for good', params: IdParams, response: { 200: Type.Object({ purged: Type.Integer() }), ...errors } },
  }, async (request) => {
    await ctx.galleryService.purge(findTrashed(request.params.id));
    return { purged: request.params.id };
  });
}
