import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { GalleryImageSchema, GalleryPageSchema, type GalleryImage } from '../../../../shared/images.ts';
import { imageUrls } from '../../queue/job-view.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

interface ImageRow {
  id: number; job_id: string; idx: number; file_path: string; mime: string; bytes: number; width: number | null;
  height: number | null; seed: number | null; infotext: string | null; server_alias: string | null; app_type: string;
  checkpoint: string | null; positive_prompt: string; created_at: string;
}

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema };

function toGalleryImage(row: ImageRow): GalleryImage {
  const { download_url, thumbnail_url } = imageUrls(row.id);
  return {
    id: row.id, job_id: row.job_id, index: row.idx, server_alias: row.server_alias, app_type: row.app_type,
    checkpoint: row.checkpoint, positive_prompt: row.positive_prompt, seed: row.seed, width: row.width,
    height: row.height, bytes: row.bytes, created_at: row.created_at, infotext: row.infotext, download_url, thumbnail_url,
  };
}

/** Keyset cursor over (created_at DESC, id DESC): stable and fast however deep the scroll. */
function encodeCursor(row: ImageRow): string {
  return Buffer.from(`${row.created_at}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: number } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !/^\d+$/.test(id ?? '')) throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this server issued; start again without it.');
  return { createdAt, id: Number(id) };
}

export function registerImageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const find = (id: number): ImageRow => {
    const row = ctx.db.prepare<[number], ImageRow>('SELECT * FROM images WHERE id = ?').get(id);
    if (!row) throw new ApiError(404, 'image_not_found', `No image with id ${id}.`);
    return row;
  };

  app.get<{ Querystring: { limit?: number; cursor?: string; server?: string; checkpoint?: string; q?: string; from?: string; to?: string; job_id?: string } }>('/api/v1/gallery/images', {
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
      }),
      response: { 200: GalleryPageSchema, ...errors },
    },
  }, async (request) => {
    const q = request.query;
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.server) { where.push('server_alias = ?'); args.push(q.server); }
    if (q.checkpoint) { where.push('checkpoint = ?'); args.push(q.checkpoint); }
    if (q.job_id) { where.push('job_id = ?'); args.push(q.job_id); }
    if (q.q) { where.push(`positive_prompt LIKE ? ESCAPE '\\'`); args.push(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`); }
    if (q.from) { where.push('created_at >= ?'); args.push(`${q.from}T00:00:00.000Z`); }
    if (q.to) { where.push('created_at <= ?'); args.push(`${q.to}T23:59:59.999Z`); }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = ctx.db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM images ${filter}`).get(...args)!.n;
    const pageWhere = [...where];
    const pageArgs = [...args];
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      pageWhere.push('(created_at < ? OR (created_at = ? AND id < ?))');
      pageArgs.push(c.createdAt, c.createdAt, c.id);
    }
    const limit = q.limit ?? 60;
    const rows = ctx.db.prepare<unknown[], ImageRow>(`SELECT * FROM images ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`).all(...pageArgs, limit + 1);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    return { images: page.map(toGalleryImage), next_cursor: more ? encodeCursor(page[page.length - 1]) : null, total };
  });

  app.get('/api/v1/gallery/facets', {
    schema: {
      tags: ['gallery'],
      response: { 200: Type.Object({ servers: Type.Array(Type.String()), checkpoints: Type.Array(Type.String()) }) },
    },
  }, async () => ({
    servers: ctx.db.prepare<[], { v: string }>('SELECT DISTINCT server_alias AS v FROM images WHERE server_alias IS NOT NULL ORDER BY v').all().map((r) => r.v),
    checkpoints: ctx.db.prepare<[], { v: string }>('SELECT DISTINCT checkpoint AS v FROM images WHERE checkpoint IS NOT NULL ORDER BY v').all().map((r) => r.v),
  }));

  app.get<{ Params: { id: number } }>('/api/v1/images/:id', {
    schema: { tags: ['gallery'], params: IdParams, response: { 200: GalleryImageSchema, ...errors } },
  }, async (request) => toGalleryImage(find(request.params.id)));

  app.get<{ Params: { id: number } }>('/api/v1/images/:id/download', {
    schema: { tags: ['gallery'], params: IdParams, response: errors },
  }, async (request, reply) => {
    const row = find(request.params.id);
    const file = ctx.images.absolute(row.file_path);
    if (!fs.existsSync(file)) throw new ApiError(404, 'image_file_missing', 'The image file is no longer on disk.');
    const name = row.file_path.split('/').pop()!;
    return reply
      .type(row.mime)
      .header('Content-Length', row.bytes)
      .header('Cache-Control', 'private, max-age=31536000, immutable')
      .header('Content-Disposition', `inline; filename="${name}"`)
      .send(fs.createReadStream(file));
  });

  app.get<{ Params: { id: number } }>('/api/v1/images/:id/thumbnail', {
    schema: { tags: ['gallery'], params: IdParams, response: errors },
  }, async (request, reply) => {
    const row = find(request.params.id);
    const file = ctx.images.absolute(row.file_path);
    if (!fs.existsSync(file)) throw new ApiError(404, 'image_file_missing', 'The image file is no longer on disk.');
    const data = await ctx.thumbs.get(row.id, file);
    return reply.type('image/webp').header('Cache-Control', 'private, max-age=31536000, immutable').send(data);
  });

  app.delete<{ Params: { id: number } }>('/api/v1/images/:id', {
    schema: { tags: ['gallery'], params: IdParams, response: { 200: Type.Object({ deleted: Type.Integer() }), ...errors } },
  }, async (request) => {
    const row = find(request.params.id);
    // Row first: a crash after it leaves an orphan file the sweeper can remove, never a row without a file.
    ctx.db.prepare('DELETE FROM images WHERE id = ?').run(row.id);
    await ctx.service.deleteImage(row.id, row);
    return { deleted: row.id };
  });
}
