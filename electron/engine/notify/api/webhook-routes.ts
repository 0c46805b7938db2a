import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import {
  DeliveryViewSchema, WebhookCreateSchema, WebhookPatchSchema, WebhookViewSchema, type WebhookCreate, type WebhookPatch,
} from '../../../../shared/notifications.ts';
import type { OutboxStore } from '../outbox-store.ts';
import type { WebhookService } from '../webhook-service.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema };
const admin = { permission: 'admin' as const };

/** /api/v1/webhooks: the webhook targets, their delivery logs and "send test". */
export function registerWebhookRoutes(app: FastifyInstance, deps: { webhooks: WebhookService; outbox: OutboxStore }): void {
  const { webhooks, outbox } = deps;

  app.get('/api/v1/webhooks', {
    config: admin, schema: { tags: ['notifications'], response: { 200: Type.Object({ webhooks: Type.Array(WebhookViewSchema) }) } },
  }, async () => ({ webhooks: webhooks.list() }));

  app.post<{ Body: WebhookCreate }>('/api/v1/webhooks', {
    config: admin, schema: { tags: ['notifications'], body: WebhookCreateSchema, response: { 201: WebhookViewSchema, ...errors } },
  }, async (request, reply) => reply.code(201).send(await webhooks.create(request.body)));

  app.get<{ Params: { id: string } }>('/api/v1/webhooks/:id', {
    config: admin, schema: { tags: ['notifications'], params: IdParams, response: { 200: WebhookViewSchema, ...errors } },
  }, async (request) => webhooks.get(request.params.id));

  app.put<{ Params: { id: string }; Body: WebhookPatch }>('/api/v1/webhooks/:id', {
    config: admin, schema: { tags: ['notifications'], params: IdParams, body: WebhookPatchSchema, response: { 200: WebhookViewSchema, ...errors } },
  }, async (request) => webhooks.update(request.params.id, request.body));

  app.delete<{ Params: { id: string } }>('/api/v1/webhooks/:id', {
    config: admin, schema: { tags: ['notifications'], params: IdParams, response: { 204: Type.Null(), ...errors } },
  }, async (request, reply) => {
    await webhooks.delete(request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>('/api/v1/webhooks/:id/deliveries', {
    config: admin,
    schema: {
      tags: ['notifications'], params: IdParams, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
      response: { 200: Type.Object({ deliveries: Type.Array(DeliveryViewSchema) }), ...errors },
    },
  }, async (request) => {
    webhooks.get(request.params.id);
    return { deliveries: outbox.log(request.params.id, request.query.limit ?? 50) };
  });

  app.post<{ Params: { id: string } }>('/api/v1/webhooks/:id/test', {
    config: admin, schema: { tags: ['notifications'], params: IdParams, response: { 202: Type.Object({ queued: Type.Boolean() }), ...errors } },
  }, async (request, reply) => {
    webhooks.sendTest(request.params.id);
    return reply.code(202).send({ queued: true });
  });
}
