import type { FastifyInstance } from 'fastify';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { DownloadCheckBodySchema, DownloadCheckSchema, DuplicatesResponseSchema } from '../../../../shared/model-duplicates.ts';
import { chooseFile } from '../downloads/choose-file.ts';
import { checkDownload, libraryDuplicates } from '../library/duplicates.ts';
import type { ModelsServices } from '../models-services.ts';

/** The library's duplicates view, and the check a download makes before any byte moves. */
export function registerDuplicateRoutes(app: FastifyInstance, services: ModelsServices): void {
  app.get('/api/v1/models/duplicates', {
    config: { permission: 'read' },
    schema: { tags: ['models'], summary: 'Same file at several paths, and models kept in several versions', response: { 200: DuplicatesResponseSchema } },
  }, async () => libraryDuplicates(services.library.store));

  app.post<{ Body: { version_id: number; file_id?: number } }>('/api/v1/civitai/download-check', {
    config: { permission: 'read' },
    schema: {
      tags: ['civitai'],
      summary: 'Whether a Civitai file (or its version) is already in the library, asked before downloading it',
      body: DownloadCheckBodySchema,
      response: { 200: DownloadCheckSchema, 400: ApiErrorSchema, 404: ApiErrorSchema },
    },
  }, async (request) => {
    const version = await services.client.getVersion(request.body.version_id);
    return checkDownload(services.library.store, version, chooseFile(version, request.body.file_id ?? null));
  });
}
