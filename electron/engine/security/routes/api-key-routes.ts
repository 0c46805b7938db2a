import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { ApiError } from '../../api/errors.ts';
import {
  ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeyUpdateSchema, ApiKeyViewSchema, type ApiKeyCreate, type ApiKeyUpdate,
} from '../../../../shared/api-keys.ts';
import { ApiKeyIdParams, DEFAULT_NEW_KEY_PERMISSIONS, toApiKeyView } from '../api-key-schemas.ts';
import type { SecurityServices } from '../security-services.ts';

const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema };

/**
 * GET/POST/PUT/DELETE /api/v1/api-keys (admin: the UI or an admin key). POST answers the
 * secret once; nothing reads it back later, it is stored only as a SHA-256.
 */
export function registerApiKeyRoutes(app: FastifyInstance, services: SecurityServices): void {
  const { keys } = services;
  const find = (id: string) => {
    const key = keys.get(id);
    if (!key) throw new ApiError(404, 'api_key_not_found', `No API key with id ${id}.`);
    return key;
  };

  app.get('/api/v1/api-keys', {
    config: { permission: 'admin' },
    schema: { tags: ['api keys'], response: { 200: Type.Object({ keys: Type.Array(ApiKeyViewSchema) }), ...errors } },
  }, async () => ({ keys: keys.list().map(toApiKeyView) }));

  app.post<{ Body: ApiKeyCreate }>('/api/v1/api-keys', {
    config: { permission: 'admin' },
    schema: { tags: ['api keys'], body: ApiKeyCreateSchema, response: { 201: ApiKeyCreatedSchema, ...errors } },
  }, async (request, reply) => {
    const body = request.body;
    const { key, secret } = keys.create({
      name: body.name.trim(),
      permissions: body.permissions ?? [...DEFAULT_NEW_KEY_PERMISSIONS],
      rateLimitPerMinute: body.rate_limit_per_minute,
      maxQueueDepth: body.max_queue_depth,
    });
    request.log.info({ api_key: key.id, key_id: key.keyId, name: key.name, permissions: key.permissions }, 'API key created');
    return reply.code(201).header('Cache-Control', 'no-store').send({ ...toApiKeyView(key), secret });
  });

  app.get<{ Params: { id: string } }>('/api/v1/api-keys/:id', {
    config: { permission: 'admin' },
    schema: { tags: ['api keys'], params: ApiKeyIdParams, response: { 200: ApiKeyViewSchema, ...errors } },
  }, async (request) => toApiKeyView(find(request.params.id)));

  app.put<{ Params: { id: string }; Body: ApiKeyUpdate }>('/api/v1/api-keys/:id', {
    config: { permission: 'admin' },
    schema: { tags: ['api keys'], params: ApiKeyIdParams, body: ApiKeyUpdateSchema, response: { 200: ApiKeyViewSchema, ...errors } },
  }, async (request) => {
    find(request.params.id);
    const body = request.body;
    const key = keys.update(request.params.id, {
      name: body.name?.trim(),
      permissions: body.permissions,
      active: body.is_active,
      rateLimitPerMinute: body.rate_limit_per_minute,
      maxQueueDepth: body.max_queue_depth,
    })!;
    if (body.rate_limit_per_minute !== undefined) services.buckets.forget(key.id);
    request.log.info({ api_key: key.id, active: key.active, permissions: key.permissions }, 'API key updated');
    return toApiKeyView(key);
  });

  app.delete<{ Params: { id: string } }>('/api/v1/api-keys/:id', {
    config: { permission: 'admin' },
    schema: { tags: ['api keys'], params: ApiKeyIdParams, response: { 200: Type.Object({ deleted: Type.String() }), ...errors } },
  }, async (request) => {
    const key = find(request.params.id);
    keys.delete(key.id);
    services.buckets.forget(key.id);
    request.log.info({ api_key: key.id, key_id: key.keyId }, 'API key deleted');
    return { deleted: key.id };
  });
}
