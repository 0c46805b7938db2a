import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { ModelUsageListSchema, ModelUsageSchema } from '../../../../shared/model-usage.ts';
import { ApiError } from '../../api/errors.ts';
import type { ModelsServices } from '../models-services.ts';

/** Per-model usage (jobs, last used, servers), most used first, for sorting and the picker's "recent". */
export function registerUsageRoutes(app: FastifyInstance, services: ModelsServices): void {
  app.get<{ Querystring: { sort?: 'jobs' | 'recent' } }>('/api/v1/models/usage', {
    config: { permission: 'read' },
    schema: {
      tags: ['models'], summary: 'How often and how recently each library model was used by jobs',
      querystring: Type.Object({ sort: Type.Optional(Type.Union([Type.Literal('jobs'), Type.Literal('recent')])) }),
      response: { 200: ModelUsageListSchema },
    },
  }, async (request) => {
    const items = [...services.usage.all().values()];
    items.sort(request.query.sort === 'recent'
      ? (a, b) => (b.last_used_at ?? '').localeCompare(a.last_used_at ?? '') || b.jobs - a.jobs
      : (a, b) => b.jobs - a.jobs || (b.last_used_at ?? '').localeCompare(a.last_used_at ?? ''));
    return { items };
  });

  app.get<{ Params: { id: number } }>('/api/v1/models/:id/usage', {
    config: { permission: 'read' },
    schema: { tags: ['models'], params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: ModelUsageSchema, 404: ApiErrorSchema } },
  }, async (request) => {
    if (!services.library.store.get(request.params.id)) throw new ApiError(404, 'model_not_found', `No model with id ${request.params.id}.`);
    return services.usage.of(request.params.id);
  });
}
