import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { ApiError } from '../../api/errors.ts';
import type { ModelsServices } from '../models-services.ts';

const MoveBody = Type.Union([
  Type.Object({ to: Type.Union([Type.Literal('top'), Type.Literal('bottom')]) }, { additionalProperties: false }),
  Type.Object({ before: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  Type.Object({ after: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
]);

/** Priority in the download queue: move a waiting download to the top, the bottom, or next to another. */
export function registerDownloadQueueRoutes(app: FastifyInstance, services: ModelsServices): void {
  app.post<{ Params: { id: string }; Body: { to: 'top' | 'bottom' } | { before: string } | { after: string } }>('/api/v1/downloads/:id/move', {
    config: { permission: 'admin' },
    schema: {
      tags: ['downloads'],
      summary: 'Reorder the waiting downloads (queued or paused); answers the order they will start in',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      body: MoveBody,
      response: { 200: Type.Object({ order: Type.Array(Type.String()) }), 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
    },
  }, async (request) => {
    const download = services.downloads.get(request.params.id);
    if (!download) throw new ApiError(404, 'download_not_found', `No download with id ${request.params.id}.`);
    if (download.status !== 'queued' && download.status !== 'paused') {
      throw new ApiError(409, 'not_waiting', `The download is ${download.status}; only queued or paused downloads can be moved.`);
    }
    const anchor = 'before' in request.body ? request.body.before : 'after' in request.body ? request.body.after : null;
    const other = anchor ? services.downloads.get(anchor) : null;
    if (anchor && (!other || (other.status !== 'queued' && other.status !== 'paused'))) {
      throw new ApiError(409, 'not_waiting', `Download ${anchor} is not waiting in the queue; move next to a queued or paused one.`);
    }
    return { order: services.downloads.move(request.params.id, request.body) };
  });
}
