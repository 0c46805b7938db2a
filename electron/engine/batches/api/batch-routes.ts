import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  BatchActionResultSchema, BatchActionSchema, BatchCreatedSchema, BatchListSchema, BatchRequestSchema, BatchViewSchema,
  type BatchAction, type BatchRequest,
} from '../../../../shared/batches.ts';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { LIMITS } from '../../../../shared/limits.ts';
import { ApiError } from '../../api/errors.ts';
import { requestApiKeyId } from '../../api/routes/generate.ts';
import { grants } from '../../security/permissions.ts';
import { keyOf } from '../../security/request-principal.ts';
import type { BatchService } from '../batch-service.ts';

const BatchParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ActionParams = Type.Object({ id: Type.String({ format: 'uuid' }), action: BatchActionSchema });
const errors = { 400: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 413: ApiErrorSchema, 429: ApiErrorSchema, 503: ApiErrorSchema };

/** A key without admin acts only on the batches it made (as on jobs). */
function checkOwner(request: FastifyRequest, owner: string | null): void {
  const key = keyOf(request);
  if (key && !grants(key.permissions, 'admin') && owner !== key.id) {
    throw new ApiError(403, 'not_your_batch', 'This API key may only act on batches it made itself.');
  }
}

/** /api/v1/batches: make a batch (or count one: dry_run), follow it, act on all its jobs. */
export function registerBatchRoutes(app: FastifyInstance, batches: BatchService): void {
  app.post<{ Body: BatchRequest }>('/api/v1/batches', {
    config: { permission: 'submit', createsJobs: true },
    schema: {
      tags: ['batches'],
      description: 'Expands a base job along its axes into jobs tagged with one batch id (product: every combination; zip: the i-th values together). '
        + 'Prompts may use dynamic-prompt syntax ({a|b}, {2$$a|b|c}, __wildcard__). dry_run counts and previews without making anything. '
        + 'More jobs than the batch_max_jobs setting is a 400 naming the count.',
      body: BatchRequestSchema,
      response: { 200: BatchCreatedSchema, 201: BatchCreatedSchema, ...errors },
    },
  }, async (request, reply) => {
    const created = await batches.create(request.body, {
      apiKeyId: requestApiKeyId(request), sourceInfo: request.body.base.source_info ?? 'batch', maxQueueDepth: keyOf(request)?.maxQueueDepth,
    });
    return reply.code(request.body.dry_run ? 200 : 201).send(created);
  });

  app.get<{ Querystring: { limit?: number; offset?: number } }>('/api/v1/batches', {
    config: { permission: 'read' },
    schema: {
      tags: ['batches'],
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax, default: 50 })),
        offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 })),
      }, { additionalProperties: false }),
      response: { 200: BatchListSchema, ...errors },
    },
  }, async (request) => batches.list(request.query.limit ?? 50, request.query.offset ?? 0));

  app.get<{ Params: { id: string } }>('/api/v1/batches/:id', {
    config: { permission: 'read' },
    schema: { tags: ['batches'], params: BatchParams, response: { 200: BatchViewSchema, ...errors } },
  }, async (request) => batches.get(request.params.id));

  app.post<{ Params: { id: string; action: BatchAction } }>('/api/v1/batches/:id/:action', {
    config: { permission: 'submit' },
    schema: {
      tags: ['batches'], description: 'cancel, retry, hold or release every job of the batch that the action fits',
      params: ActionParams, response: { 200: BatchActionResultSchema, ...errors },
    },
  }, async (request) => {
    checkOwner(request, batches.ownerKey(request.params.id));
    return batches.act(request.params.id, request.params.action, requestApiKeyId(request));
  });
}
