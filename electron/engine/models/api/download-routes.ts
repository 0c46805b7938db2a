import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { DownloadViewSchema, isDownloadFinished } from '../../../../shared/models.ts';
import { ApiError } from '../../api/errors.ts';
import type { ModelsServices } from '../models-services.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };

/** GET /api/v1/downloads and pause / resume / cancel / remove of one download. */
export function registerDownloadRoutes(app: FastifyInstance, services: ModelsServices): void {
  const { downloads } = services;
  const read = { permission: 'read' as const };

  app.get('/api/v1/downloads', {
    config: read,
    schema: { tags: ['downloads'], summary: 'The download queue (newest first, running ones on top)', response: { 200: Type.Object({ downloads: Type.Array(DownloadViewSchema) }) } },
  }, async () => ({ downloads: downloads.list() }));

  app.get<{ Params: { id: string } }>('/api/v1/downloads/:id', {
    config: read,
    schema: { tags: ['downloads'], params: IdParams, response: { 200: DownloadViewSchema, ...errors } },
  }, async (request) => {
    const view = downloads.get(request.params.id);
    if (!view) throw new ApiError(404, 'download_not_found', `No download with id ${request.params.id}.`);
    return view;
  });

  app.post<{ Params: { id: string } }>('/api/v1/downloads/:id/pause', {
    config: { permission: 'admin' },
    schema: { tags: ['downloads'], params: IdParams, response: { 200: DownloadViewSchema, ...errors } },
  }, async (request) => downloads.pause(request.params.id));

  app.post<{ Params: { id: string } }>('/api/v1/downloads/:id/resume', {
    config: { permission: 'admin' },
    schema: { tags: ['downloads'], params: IdParams, response: { 200: DownloadViewSchema, ...errors } },
  }, async (request) => downloads.resume(request.params.id));

  app.post<{ Params: { id: string } }>('/api/v1/downloads/:id/cancel', {
    config: { permission: 'admin' },
    schema: { tags: ['downloads'], params: IdParams, response: { 200: DownloadViewSchema, ...errors } },
  }, async (request) => downloads.cancel(request.params.id));

  app.delete<{ Params: { id: string } }>('/api/v1/downloads/:id', {
    config: { permission: 'admin' },
    schema: { tags: ['downloads'], summary: 'Remove a finished download from the list (cancels an unfinished one first)', params: IdParams },
  }, async (request) => {
    const view = downloads.get(request.params.id);
    if (view && !isDownloadFinished(view.status)) await downloads.cancel(view.id);
    downloads.remove(request.params.id);
    return { deleted: request.params.id };
  });

  app.post('/api/v1/downloads/clear', {
    config: { permission: 'admin' },
    schema: { tags: ['downloads'], summary: 'Remove finished downloads from the list' },
  }, async () => ({ removed: downloads.clearFinished() }));
}
