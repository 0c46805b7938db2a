/**
 * Notifications as an engine module: the outbox worker (fed by triggers on job status and
 * by bus events for servers and downloads), webhook targets and their routes.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api/context.ts';
import type { EngineModule } from '../engine-module.ts';
import { registerWebhookRoutes } from './api/webhook-routes.ts';
import type { NotifyPayload } from './notify-payload.ts';
import { jobPayload } from './notify-payload.ts';
import { sendOutbound } from './outbound-http.ts';
import { OutboxStore, type NewDelivery, type OutboxEvent } from './outbox-store.ts';
import { OutboxWorker } from './outbox-worker.ts';
import { WebhookService } from './webhook-service.ts';
import { WebhookStore } from './webhook-store.ts';
import { callbackForm } from './callback-form.ts';
import fs from 'node:fs/promises';
import { registerPushTargetRoutes } from './api/push-target-routes.ts';
import { PushService } from './push-service.ts';
import { PushTargetStore } from './push-target-store.ts';
import { pushMessage } from './push-message.ts';
import { inQuietHours, localMinutesOf } from './quiet-hours.ts';
import { serializePayload } from './notify-payload.ts';
import type { DeliveryRow } from './outbox-store.ts';
import { randomUUID } from 'node:crypto';
import type { NotifyEvent } from '../../../shared/notifications.ts';

/** The address links in notifications point at: where this engine listens (loopback when it listens on all). */
function listeningBaseUrl(app: FastifyInstance | null): string {
  const address = app?.server.address();
  if (!address || typeof address !== 'object') return 'http://127.0.0.1/';
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`;
}

export interface NotifyServices {
  outbox: OutboxStore;
  webhooks: WebhookService;
  worker: OutboxWorker;
  push: PushService;
}

export function createNotifyModule(): EngineModule & { services(): NotifyServices } {
  let services: NotifyServices | null = null;
  let app: FastifyInstance | null = null;
  let unsubscribe: (() => void) | null = null;
  const need = (): NotifyServices => {
    if (!services) throw new Error('notify module used before init');
    return services;
  };

  return {
    name: 'notify',
    services: need,
    init(ctx: ApiContext) {
      const outbox = new OutboxStore(ctx.db);
      const pushStore = new PushTargetStore(ctx.db);
      let push: PushService | null = null;
      const pushRequest = async (delivery: DeliveryRow, payload: NotifyPayload, now: number) => {
        const parsed = delivery.push_target_id ? await push!.resolved(delivery.push_target_id) : null;
        if (!parsed) return null;
        const first = payload.job?.images[0];
        const row = first && payload.job && parsed.kind === 'ntfy' ? ctx.jobs.images(payload.job.id).find((image) => image.id === first.id) : undefined;
        const image = row && first ? { bytes: await fs.readFile(ctx.images.absolute(row.file_path)), name: row.file_name, mime: row.mime, url: first.url } : null;
        return parsed.build(pushMessage(payload, serializePayload(payload, now), image));
      };
      const store = new WebhookStore(ctx.db);
      const payloadFor = (event: OutboxEvent): NotifyPayload | null => {
        const base = ctx.settings.get('public_url') ?? listeningBaseUrl(app);
        const data = event.data_json ? JSON.parse(event.data_json) as unknown : null;
        const row = event.job_id ? ctx.jobs.get(event.job_id) : undefined;
        if (event.type === 'test') return { event: 'test', job: null, data };
        if (event.type === 'job.finished' || event.type === 'job.failed') {
          return row ? { event: event.type, job: jobPayload(row, ctx.jobs.images(row.mobilesd_job_id), base), data } : null;
        }
        const job = row ? jobPayload(row, ctx.jobs.images(row.mobilesd_job_id), base) : null;
        return { event: event.type as NotifyEvent, job, data: event.type === 'queue.drained' ? { counts: ctx.jobs.counts(), ...outbox.finishedSinceLastDrain(event.id) } : data };
      };
      const extraDeliveries = (event: OutboxEvent, payload: NotifyPayload): NewDelivery[] => {
        if (event.type === 'test' && (payload.data as { webhook_id?: string } | null)?.webhook_id) {
          const webhookId = (payload.data as { webhook_id?: string } | null)?.webhook_id;
          return webhookId && store.get(webhookId)
            ? [{ id: randomUUID(), webhook_id: webhookId, target_url: null, event_id: event.id, event: 'test', payload, attach_images: false }]
            : [];
        }
        const row = event.job_id && (event.type === 'job.finished' || event.type === 'job.failed') ? ctx.jobs.get(event.job_id) : undefined;
        const deliveries: NewDelivery[] = row?.callback_url
          ? [{ id: randomUUID(), webhook_id: null, target_url: row.callback_url, event_id: event.id, event: event.type, payload, attach_images: row.callback_images === 1 }]
          : [];
        const quietNow = localMinutesOf(ctx.clock.now());
        for (const target of pushStore.list()) {
          const wanted = event.type === 'test'
            ? (payload.data as { push_target_id?: string } | null)?.push_target_id === target.id
            : target.enabled && target.events.includes(event.type as NotifyEvent) && !inQuietHours(target.quiet_hours, quietNow)
              // "Only when the whole queue is done": one queue.drained message instead of one per job.
              && (!target.only_when_queue_done || event.type === 'queue.drained' || !event.type.startsWith('job.'));
          if (wanted) deliveries.push({ id: randomUUID(), webhook_id: null, target_url: target.url, event_id: event.id, event: event.type, payload, attach_images: false, push_target_id: target.id });
        }
        return deliveries;
      };
      const multipartBody = (_delivery: unknown, json: string, payload: NotifyPayload) =>
        callbackForm(json, payload.job ? ctx.jobs.images(payload.job.id).map((image) => ({ path: ctx.images.absolute(image.file_path), name: image.file_name, mime: image.mime })) : []);
      const worker = new OutboxWorker({
        outbox, webhooks: store, secrets: ctx.secrets, clock: ctx.clock, logger: ctx.logger, send: sendOutbound, payloadFor, extraDeliveries, multipartBody, pushRequest,
        onAttempt: (target, result) => ctx.ops.metrics.countDelivery(target, result),
      });
      push = new PushService({ store: pushStore, outbox, secrets: ctx.secrets, clock: ctx.clock, wake: () => worker.kick() });
      services = { outbox, worker, push, webhooks: new WebhookService({ store, outbox, secrets: ctx.secrets, clock: ctx.clock, wake: () => worker.kick() }) };
      // Job events are already in the outbox when the bus hears of them (triggers, same
      // transaction); the bus only says "look now". Server and download events have no
      // job row, so they are written here.
      const serverHealth = new Map<string, string>();
      const downloadStatus = new Map<string, string>();
      unsubscribe = ctx.bus.on((event) => {
        if (event.type === 'job.finished' || event.type === 'queue.state') worker.kick();
        else if (event.type === 'download.updated') {
          const before = downloadStatus.get(event.download.id);
          downloadStatus.set(event.download.id, event.download.status);
          if (event.download.status === 'completed' && before !== 'completed') {
            outbox.addEvent('download.finished', null, { download: event.download }, ctx.clock.now());
            worker.kick();
          }
        } else if (event.type === 'server.status') {
          const { alias, status } = event.server;
          const before = serverHealth.get(alias);
          serverHealth.set(alias, status);
          const wentOffline = status === 'offline' && before !== undefined && before !== 'offline';
          const cameBack = status !== 'offline' && before === 'offline';
          if (wentOffline || cameBack) {
            outbox.addEvent(wentOffline ? 'server.offline' : 'server.online', null, { server: event.server }, ctx.clock.now());
            worker.kick();
          }
        }
      });
    },
    routes: [
      (fastify) => {
        app = fastify;
        fastify.addHook('onReady', async () => need().worker.kick());
        registerWebhookRoutes(fastify, need());
        registerPushTargetRoutes(fastify, need());
      },
    ],
    async stop() {
      unsubscribe?.();
      await services?.worker.stop();
      services = null;
      app = null;
    },
  };
}
