import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import {
  DeliveryViewSchema, NotifyEventSchema, PushTargetCreateSchema, PushTargetPatchSchema, PushTargetViewSchema, type PushTargetCreate, type PushTargetPatch,
} from '../../../../shared/notifications.ts';
import type { OutboxStore } from '../outbox-store.ts';
import type { PushService } from '../push-service.ts';

const WebPushSubscribeSchema = Type.Object({
  subscription: Type.Object({
    endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
    keys: Type.Object({ p256dh: Type.String({ minLength: 1, maxLength: 200 }), auth: Type.String({ minLength: 1, maxLength: 100 }) }),
  }),
  events: Type.Array(NotifyEventSchema, { minItems: 1, uniqueItems: true }),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema };
const admin = { permission: 'admin' as const };

/** /api/v1/push-targets: Apprise-style push URLs, their delivery logs and "send test". */
export function registerPushTargetRoutes(app: FastifyInstance, deps: { push: PushService; outbox: OutboxStore }): void {
  const { push, outbox } = deps;

  app.get('/api/v1/push-targets', {
    config: admin, schema: { tags: ['notifications'], response: { 200: Type.Object({ targets: Type.Array(PushTargetViewSchema) }) } },
  }, async () => ({ targets: push.list() }));

  app.post<{ Body: PushTargetCreate }>('/api/v1/push-targets', {
    config: admin, schema: { tags: ['notifications'], body: PushTargetCreateSchema, response: { 201: PushTargetViewSchema, ...errors } },
  }, async (request, reply) => reply.code(201).send(await push.create(request.body)));

  app.get('/api/v1/web-push/public-key', {
    config: admin, schema: { tags: ['notifications'], response: { 200: Type.Object({ public_key: Type.String() }) } },
  }, async () => ({ public_key: await push.vapidPublicKey() }));

  app.post<{ Body: Static<typeof WebPushSubscribeSchema> }>('/api/v1/web-push/subscriptions', {
    config: admin, schema: { tags: ['notifications'], body: WebPushSubscribeSchema, response: { 201: PushTargetViewSchema, ...errors } },
  }, async (request, reply) => reply.code(201).send(await push.subscribe(request.body.subscription, request.body.events)));

  app.get<{ Params: { id: string } }>('/api/v1/push-targets/:id', {
    config: admin, schema: { tags: ['notifications'], params: IdParams, response: { 200: PushTargetViewSchema, ...errors } },
  }, async (request) => push.get(request.params.id));

  app.put<{ Params: { id: string }; Body: PushTargetPatch }>('/api/v1/push-targets/:id', {
    config: admin, schema: { tags: ['notifications'], params: IdParams, body: PushTargetPatchSchema, response: { 200: PushTargetViewSchema, ...errors } },
  }, async (request) => push.update(request.params.id, request.body));

  app.delete<{ Params: { id: string } }>('/api/v1/push-targets/:id', {
    config: admin, schema: { tags: ['notifications'], params: IdParams, response: { 204: Type.Null(), ...errors } },
  }, async (request, reply) => {
    await push.delete(request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/api/v1/push-targets/:id/deliveries', {
    config: admin, schema: { tags: ['notifications'], params: IdParams, response: { 200: Type.Object({ deliveries: Type.Array(DeliveryViewSchema) }), ...errors } },
  }, async (request) => {
    push.get(request.params.id);
    return { deliveries: outbox.log(request.params.id, 50, 'push_target_id') };
  });

  app.post<{ Params: { id: string } }>('/api/v1/push-targets/:id/test', {
    config: admin, schema: { tags: ['notifications'], params: IdParams, response: { 202: Type.Object({ queued: Type.Boolean() }), ...errors } },
  }, async (request, reply) => {
    push.sendTest(request.params.id);
    return reply.code(202).send({ queued: true });
  });
}
