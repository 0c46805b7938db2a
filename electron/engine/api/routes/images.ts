import fs from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import {
  GalleryFacetsSchema, GalleryFilterSchema, GalleryImageSchema, GalleryListQuerySchema, GalleryPageSchema,
  type GalleryFilter, type GalleryListQuery,
} from '../../../../shared/images.ts';
import { decodeCursor, encodeCursor } from '../../gallery/gallery-order.ts';
import type { ImageRow } from '../../gallery/gallery-store.ts';
import { toGalleryImage } from '../../gallery/gallery-view.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const FileNameParams = Type.Object({ filename: Type.String({ minLength: 1, maxLength: 255 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema };

export function registerImageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  /** An image in the gallery or in its trash (a hidden outside file is as good as gone). */
  const find = (id: number): ImageRow => {
    const row = ctx.gallery.find(id);
    if (!row || row.state === 'hidden') throw new ApiError(404, 'image_not_found', `No image with id ${id}.`);
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
    const file = ctx.galleryService.currentFileOf(row);
    if (!file || !fs.existsSync(file)) throw new ApiError(404, 'image_file_missing', 'The image file is no longer on disk.');
    return reply
      .type(row.mime)
      .header('Content-Length', row.bytes)
      .header('Cache-Control', 'private, max-age=31536000, immutable')
      .header('Content-Disposition', `inline; filename="${row.file_name}"`)
      .send(fs.createReadStream(file));
  };

  app.get<{ Querystring: GalleryListQuery }>('/api/v1/gallery/images', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], querystring: GalleryListQuerySchema, response: { 200: GalleryPageSchema, ...errors } },
  }, async (request) => {
    const { cursor, limit = 60, ...query } = request.query;
    const keyLength = query.sort === 'rating' ? 3 : 2;
    let after;
    if (cursor) {
      after = decodeCursor(query.sort, cursor, keyLength) ?? undefined;
      if (!after) throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this server issued for this order; start again without it.');
    }
    // One more than asked tells whether another page follows.
    const { rows, total } = ctx.gallery.page({ ...query, after, limit: limit + 1 });
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const extras = ctx.gallery.extras(page.map((r) => r.id));
    const last = page[page.length - 1];
    const nextCursor = more && last ? encodeCursor(query.sort, Array.from({ length: keyLength }, (_, i) => last[`k${i}`])) : null;
    return { images: page.map((row) => toGalleryImage(row, extras)), next_cursor: nextCursor, total };
  });

  app.get<{ Querystring: GalleryFilter }>('/api/v1/gallery/facets', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], querystring: GalleryFilterSchema, response: { 200: GalleryFacetsSchema, ...errors } },
  }, async (request) => ctx.gallery.facets(request.query));

  app.get<{ Params: { id: number } }>('/api/v1/images/:id', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], params: IdParams, response: { 200: GalleryImageSchema, ...errors } },
  }, async (request) => {
    const row = find(request.params.id);
    // A deleted image has left the gallery (the trash list still shows it, and its thumbnail).
    if (row.state !== 'visible') throw new ApiError(404, 'image_not_found', `Image ${row.id} is in the trash.`);
    return toGalleryImage(row, ctx.gallery.extras([row.id]));
  });

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
    const file = ctx.galleryService.currentFileOf(row);
    if (!file || !fs.existsSync(file)) throw new ApiError(404, 'image_file_missing', 'The image file is no longer on disk.');
    const data = await ctx.thumbs.get(row.id, file);
    return reply.type('image/webp').header('Cache-Control', 'private, max-age=31536000, immutable').send(data);
  });

  app.delete<{ Params: { id: number }; Querystring: { delete_file?: boolean } }>('/api/v1/images/:id', {
    config: { permission: 'admin' },
    schema: {
      tags: ['gallery'],
      summary: 'Into the trash (undo: POST /api/v1/gallery/trash/:id/restore); an indexed outside file only leaves the gallery unless delete_file=true',
      params: IdParams,
      querystring: Type.Object({ delete_file: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 200: Type.Object({ deleted: Type.Integer() }), ...errors },
    },
  }, async (request) => {
    const row = find(request.params.id);
    await ctx.galleryService.remove(row, { deleteFile: request.query.delete_file });
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
