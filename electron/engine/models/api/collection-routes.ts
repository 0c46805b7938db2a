import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import {
  ModelCollectionAddSchema, ModelCollectionBodySchema, ModelCollectionListSchema, ModelCollectionSchema, ModelFavouriteBodySchema,
} from '../../../../shared/model-collections.ts';
import { ModelViewSchema } from '../../../../shared/models.ts';
import { ApiError } from '../../api/errors.ts';
import type { ModelRow } from '../library/model-row.ts';
import { toModelView } from '../library/model-view.ts';
import type { ModelsServices } from '../models-services.ts';

const Id = Type.Integer({ minimum: 1 });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };

/** Favourite stars and collections of library models. Reading is `read`; marking is `submit`, like choosing a model for a job. */
export function registerCollectionRoutes(app: FastifyInstance, services: ModelsServices): void {
  const { marks, library } = services;
  const model = (id: number): ModelRow => {
    const row = library.store.get(id);
    if (!row) throw new ApiError(404, 'model_not_found', `No model with id ${id}; the library may have been rescanned.`);
    return row;
  };
  const changed = (ids: number[]) => library.changed('manage', ids);

  app.put<{ Params: { id: number }; Body: { favourite: boolean } }>('/api/v1/models/:id/favourite', {
    config: { permission: 'submit' },
    schema: { tags: ['models'], summary: 'Star or unstar a model', params: Type.Object({ id: Id }), body: ModelFavouriteBodySchema, response: { 200: ModelViewSchema, ...errors } },
  }, async (request) => {
    const row = model(request.params.id);
    marks.setFavourite(row, request.body.favourite);
    changed([row.id]);
    return marks.decorate([toModelView(row)])[0];
  });

  app.get('/api/v1/models/collections', {
    config: { permission: 'read' },
    schema: { tags: ['models'], response: { 200: ModelCollectionListSchema } },
  }, async () => ({ collections: marks.collections() }));

  app.post<{ Body: { name: string } }>('/api/v1/models/collections', {
    config: { permission: 'submit' },
    schema: { tags: ['models'], body: ModelCollectionBodySchema, response: { 201: ModelCollectionSchema, ...errors } },
  }, async (request, reply) => reply.code(201).send(marks.createCollection(request.body.name)));

  app.patch<{ Params: { id: number }; Body: { name: string } }>('/api/v1/models/collections/:id', {
    config: { permission: 'submit' },
    schema: { tags: ['models'], params: Type.Object({ id: Id }), body: ModelCollectionBodySchema, response: { 200: ModelCollectionSchema, ...errors } },
  }, async (request) => marks.renameCollection(request.params.id, request.body.name));

  app.delete<{ Params: { id: number } }>('/api/v1/models/collections/:id', {
    config: { permission: 'submit' },
    schema: { tags: ['models'], summary: 'Remove a collection (never its models)', params: Type.Object({ id: Id }), response: errors },
  }, async (request, reply) => {
    marks.deleteCollection(request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: number }; Body: { model_ids: number[] } }>('/api/v1/models/collections/:id/models', {
    config: { permission: 'submit' },
    schema: { tags: ['models'], params: Type.Object({ id: Id }), body: ModelCollectionAddSchema, response: { 200: ModelCollectionSchema, ...errors } },
  }, async (request) => {
    const rows = request.body.model_ids.map(model);
    const result = marks.add(request.params.id, rows);
    changed(rows.map((r) => r.id));
    return result;
  });

  app.delete<{ Params: { id: number; model_id: number } }>('/api/v1/models/collections/:id/models/:model_id', {
    config: { permission: 'submit' },
    schema: { tags: ['models'], params: Type.Object({ id: Id, model_id: Id }), response: { 200: ModelCollectionSchema, ...errors } },
  }, async (request) => {
    const row = model(request.params.model_id);
    const result = marks.remove(request.params.id, row);
    changed([row.id]);
    return result;
  });
}
