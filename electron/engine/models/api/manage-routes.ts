import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { RenameModelBodySchema, RenameModelResponseSchema, TrashEntrySchema, TrashListSchema, type TrashEntry } from '../../../../shared/model-management.ts';
import { ModelViewSchema } from '../../../../shared/models.ts';
import { toModelView } from '../library/model-view.ts';
import type { PlannedMove } from '../manage/move-with-sidecars.ts';
import type { TrashRow } from '../manage/trash-store.ts';
import type { ModelsServices } from '../models-services.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };

function trashView(row: TrashRow): TrashEntry {
  const files = (JSON.parse(row.files_json) as PlannedMove[]).map((m) => m.from);
  const file = row.rel_path.slice(row.rel_path.lastIndexOf('/') + 1);
  return {
    id: row.id, model_id: row.model_id, kind: row.kind, rel_path: row.rel_path,
    name: file.replace(/\.[^.]+$/, ''), size: row.size, files, deleted_at: row.deleted_at,
  };
}

/** Delete to the trash, undo, purge, and rename/move of library files (with their sidecars). */
export function registerModelManageRoutes(app: FastifyInstance, services: ModelsServices): void {
  const { files } = services;

  app.get('/api/v1/models/trash', {
    config: { permission: 'read' },
    schema: { tags: ['models'], summary: 'Deleted models that can still be restored', response: { 200: TrashListSchema } },
  }, async () => ({ items: files.trashList().map(trashView) }));

  app.delete<{ Params: { id: number } }>('/api/v1/models/:id', {
    config: { permission: 'admin' },
    schema: {
      tags: ['models'],
      summary: 'Move a model and its sidecars to the trash (undo with POST /api/v1/models/trash/:id/restore)',
      params: IdParams, response: { 200: TrashEntrySchema, ...errors },
    },
  }, async (request) => trashView(await files.delete(request.params.id)));

  app.post<{ Params: { id: number } }>('/api/v1/models/trash/:id/restore', {
    config: { permission: 'admin' },
    schema: { tags: ['models'], summary: 'Put a deleted model and its sidecars back where they were', params: IdParams, response: { 200: ModelViewSchema, ...errors } },
  }, async (request) => toModelView(await files.restore(request.params.id)));

  app.delete<{ Params: { id: number } }>('/api/v1/models/trash/:id', {
    config: { permission: 'admin' },
    schema: { tags: ['models'], summary: 'Delete a trashed model for good', params: IdParams, response: { 404: ApiErrorSchema } },
  }, async (request, reply) => {
    await files.purge(request.params.id);
    return reply.code(204).send();
  });

  app.patch<{ Params: { id: number }; Body: { rel_path: string } }>('/api/v1/models/:id', {
    config: { permission: 'admin' },
    schema: {
      tags: ['models'],
      summary: 'Rename or move a model within its library folder, sidecars included; queued jobs naming it follow',
      params: IdParams, body: RenameModelBodySchema, response: { 200: RenameModelResponseSchema, ...errors },
    },
  }, async (request) => {
    const result = await files.rename(request.params.id, request.body.rel_path);
    return { model: toModelView(result.row), rewritten_jobs: result.jobs };
  });
}
