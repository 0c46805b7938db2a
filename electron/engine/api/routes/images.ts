import fs from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { GalleryImageSchema, GalleryKindFilterSchema, GalleryPageSchema, kindsOf, type GalleryKindFilter } from '../../../../shared/images.ts';
import type { ImageRow } from '../../gallery/gallery-store.ts';
import { decodeCursor, encodeCursor, toGalleryImage } from '../../gallery/gallery-view.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const FileNameParams = Type.Object({ filename: Type.String({ minLength: 1, maxLength: 255 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema };

export function registerImageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const find = (id: number): ImageRow => {
    const row = ctx.gallery.find(id);
    if (!row) throw new ApiError(404, 'image_not_found', `No image with id ${id}.`);
    return row;
  };
  // MobileSD's file routes name an image by its file name: a key looked up in the
  // images table, never joined to a folder, so no name can reach another file.
  const findByFileName = (fileName: string): ImageRow => {
    const row = ctx.gallery.findByFileName(fileName);
    if (!row) throw new ApiError(404, 'image_not_found', 'No image with that file name.');
    return row;
  };
  /** The original bytes, exactly as the server sent them. */
  const sendOriginal = (reply: FastifyReply, row: ImageRow) => {
    const file = ctx.images.absolute(row.file_path);
    if (!fs.existsSync(file)) throw new ApiError(404, 'image_file_missing', 'The image file is no longer on disk.');
    return reply
      .type(row.mime)
      .header('Content-Length', row.bytes)
      .header('Cache-Control', 'private, max-age=31536000, immutable')
      .header('Content-Disposition', `inline; filename="${row.file_name}"`)
      .send(fs.createReadStream(file));
  };

  app.get<{ Querystring: { limit?: number; cursor?: string; server?: string; checkpoint?: string; q?: string; from?: string; to?: string; job_id?: string; kind?: GalleryKindFilter } }>('/api/v1/gallery/images', {
    config: { permission: 'read' },
    schema: {
      tags: ['gallery'],
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 60 })),
        cursor: Type.Optional(Type.String({ maxLength: 200 })),
        server: Type.Optional(Type.String({ maxLength: 64 })),
        checkpoint: Type.Optional(Type.String({ maxLength: 1024 })),
        q: Type.Optional(Type.String({ maxLength: 500 })),
        from: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive' })),
        to: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive' })),
        job_id: Type.Optional(Type.String({ format: 'uuid' })),
        kind: Type.Optional(GalleryKindFilterSchema),
      }),
      response: { 200: GalleryPageSchema, ...errors },
    },
  }, async (request) => {
    const q = request.query;
    let after;
    if (q.cursor) {
      after = decodeCursor(q.cursor);
      if (!after) throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this server issued; start again without it.');
    }
    const limit = q.limit ?? 60;
    // One more than asked tells whether another page follows.
    const { rows, total } = ctx.gallery.page({
      server: q.server, checkpoint: q.checkpoint, jobId: q.job_id, kinds: kindsOf(q.kind), text: q.q, from: q.from, to: q.to, after, limit: limit + 1,
    });
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    return { images: page.map(toGalleryImage), next_cursor: more ? encodeCursor(page[page.length - 1]) : null, total };
  });

  app.get('/api/v1/gallery/facets', {
    config: { permission: 'read' },
    schema: {
      tags: ['gallery'],
      response: { 200: Type.Object({ servers: Type.Array(Type.String()), checkpoints: Type.Array(Type.String()) }) },
    },
  }, async () => ctx.gallery.facets());

  app.get<{ Params: { id: number } }>('/api/v1/images/:id', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], params: IdParams, response: { 200: GalleryImageSchema, ...errors } },
  }, async (request) => toGalleryImage(find(request.params.id)));

  app.get<{ Params: { id: number } }>('/api/v1/images/:id/download', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], params: IdParams, response: errors },
  }, async (request, reply) => sendOriginal(reply, find(request.params.id)));

  // A wildcard, so a name with more segments (`a/../b`) is looked up too, and not found,
  // instead of falling through to the UI's page.
  app.get<{ Params: { '*': string } }>('/gallery_files/*', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], summary: 'An image by its file name (the gallery row\'s filename)', response: errors },
  }, async (request, reply) => sendOriginal(reply, findByFileName(request.params['*'])));

  app.get<{ Params: { id: number } }>('/api/v1/images/:id/thumbnail', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], params: IdParams, response: errors },
  }, async (request, reply) => {
    const row = find(request.params.id);
    const file = ctx.images.absolute(row.file_path);
    if (!fs.existsSync(file)) throw new ApiError(404, 'image_file_missing', 'The image file is no longer on disk.');
    const data = await ctx.thumbs.get(row.id, file);
    return reply.type('image/webp').header('Cache-Control', 'private, max-age=31536000, immutable').send(data);
  });

  app.delete<{ Params: { id: number } }>('/api/v1/images/:id', {
    config: { permission: 'admin' },
    schema: { tags: ['gallery'], params: IdParams, response: { 200: Type.Object({ deleted: Type.Integer() }), ...errors } },
  }, async (request) => {
    const row = find(request.params.id);
    await ctx.galleryService.remove(row);
    return { deleted: row.id };
  });

  app.delete<{ Params: { filename: string } }>('/api/v1/gallery/images/:filename', {
    config: { permission: 'admin' },
    schema: { tags: ['gallery'], params: FileNameParams, response: { 200: Type.Object({ deleted: Type.String(), id: Type.Integer() }), ...errors } },
  }, async (request) => {
    const row = findByFileName(request.params.filename);
    await ctx.galleryService.remove(row);
    return { deleted: row.file_name, id: row.id };
  });
}
