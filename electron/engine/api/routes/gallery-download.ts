import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { GalleryDownloadRequestSchema, type GalleryDownloadRequest } from '../../../../shared/images.ts';
import { imagesZip, type ZipEntry } from '../../gallery/zip-download.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

/** POST /api/v1/gallery/download: the chosen images' original files as one streamed zip. */
export function registerGalleryDownloadRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: GalleryDownloadRequest }>('/api/v1/gallery/download', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], summary: 'A zip of the original files (stored, not recompressed)', body: GalleryDownloadRequestSchema, response: { 400: ApiErrorSchema, 404: ApiErrorSchema } },
  }, async (request, reply) => {
    const entries: ZipEntry[] = [];
    for (const id of new Set(request.body.ids)) {
      const row = ctx.gallery.find(id);
      if (!row || row.state !== 'visible') continue;
      const file = ctx.galleryService.fileOf(row);
      if (!file || !fs.existsSync(file)) continue;
      entries.push({ file, name: path.posix.basename(row.file_path) });
    }
    if (!entries.length) throw new ApiError(404, 'no_images', 'None of those images is in the gallery with its file on disk.');
    return reply
      .type('application/zip')
      .header('Content-Disposition', `attachment; filename="stablequeue-${entries.length}-images.zip"`)
      .header('Cache-Control', 'no-store')
      .send(await imagesZip(entries));
  });
}
