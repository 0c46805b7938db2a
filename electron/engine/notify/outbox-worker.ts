import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { NOTIFY_EVENTS, type NotifyEvent } from '../../../shared/notifications.ts';
import type { Clock } from '../clock.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { SECRET_NAMES } from '../secrets/secret-store.ts';
import { nextRetryDelay } from './delivery-backoff.ts';
import type { NotifyPayload } from './notify-payload.ts';
import { serializePayload } from './notify-payload.ts';
import type { OutboundRequest, OutboundSend } from './outbound-http.ts';
import type { DeliveryRow, NewDelivery, OutboxEvent, OutboxStore } from './outbox-store.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';
import type { WebhookStore } from './webhook-store.ts';

/** How many deliveries are tried at once. */
const PARALLEL_SENDS = 4;
/** Settled deliveries and events are kept this long for the delivery log. */
export const KEEP_SETTLED_MS = 14 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface OutboxWorkerDeps {
  outbox: OutboxStore;
  webhooks: WebhookStore;
  secrets: SecretStore;
  clock: Clock;
  logger: Logger;
  send: OutboundSend;
  /** The payload for an event row, or null when it is about nothing left (a deleted job). */
  payloadFor(event: OutboxEvent): NotifyPayload | null;
  /** Extra deliveries for an event beyond the webhooks (a job's own callback URL). */
  extraDeliveries?(event: OutboxEvent, payload: NotifyPayload): NewDelivery[];
  /** Builds the body of a delivery that wants the images attached (multipart). */
  multipartBody?(delivery: DeliveryRow, json: string, payload: NotifyPayload): Promise<FormData>;
  /** The request for a push target's delivery (null when the target is gone). */
  pushRequest?(delivery: DeliveryRow, payload: NotifyPayload, now: number): Promise<OutboundRequest | null>;
  firstRetryMs?: number;
  /** Told after every try of a delivery, with how it ended (metrics count these). */
  onAttempt?(target: DeliveryTarget, result: DeliveryResult): void;
}

export type DeliveryTarget = 'webhook' | 'callback' | 'push';
/** delivered; retrying: failed this time, tried again later; failed: no more tries. */
export type DeliveryResult = 'delivered' | 'retrying' | 'failed';

const isNotifyEvent = (type: string): type is NotifyEvent => (NOTIFY_EVENTS as readonly string[]).includes(type);

/**
 * Drains the outbox: turns waiting events into one delivery per subscribed target, then
 * sends due deliveries, recording every try and scheduling the next with backoff. All state
 * is in SQLite, so a restart simply picks up where the last run stopped; a delivery keeps
 * its id across tries, which is what receivers deduplicate on.
 */
export class OutboxWorker {
  readonly #d: OutboxWorkerDeps;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #prunedAt = -Infinity;

  constructor(deps: OutboxWorkerDeps) {
    this.#d = deps;
  }

  /** Something may be waiting: run soon (coalesced). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#run().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        this.kick();
      } else this.#schedule();
    });
  }

  /** Waits for the current run to end (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.idle();
  }

  async #run(): Promise<void> {
    try {
      const now = this.#d.clock.now();
      if (now - this.#prunedAt >= PRUNE_EVERY_MS) {
        this.#prunedAt = now;
        this.#d.outbox.prune(now - KEEP_SETTLED_MS);
      }
      this.#fanOut();
      for (;;) {
        const due = this.#d.outbox.due(this.#d.clock.now(), PARALLEL_SENDS);
        if (due.length === 0 || this.#stopped) break;
        await Promise.all(due.map((delivery) => this.#deliver(delivery)));
      }
    } catch (error) {
      this.#d.logger.error({ err: error }, 'notification outbox run failed');
    }
  }

  #fanOut(): void {
    for (;;) {
      const events = this.#d.outbox.waitingEvents();
      if (events.length === 0) return;
      for (const event of events) {
        const payload = this.#d.payloadFor(event);
        const deliveries: NewDelivery[] = [];
        if (payload) {
          const subscribers = isNotifyEvent(event.type) ? this.#d.webhooks.subscribers(event.type) : [];
          for (const hook of subscribers) {
            deliveries.push({ id: randomUUID(), webhook_id: hook.id, target_url: null, event_id: event.id, event: event.type, payload, attach_images: false });
          }
          deliveries.push(...(this.#d.extraDeliveries?.(event, payload) ?? []));
        }
        this.#d.outbox.fanOut(event.id, deliveries, this.#d.clock.now());
      }
    }
  }

  async #deliver(delivery: DeliveryRow): Promise<void> {
    const { clock, webhooks, secrets, send, outbox } = this.#d;
    const hook = delivery.webhook_id ? webhooks.get(delivery.webhook_id) : null;
    const url = hook?.url ?? delivery.target_url;
    const now = clock.now();
    const payload = JSON.parse(delivery.payload_json) as NotifyPayload;
    const json = serializePayload(payload, now);
    let result;
    if (delivery.push_target_id) {
      const request = await this.#d.pushRequest?.(delivery, payload, now);
      result = request ? await send({ ...request, headers: { ...request.headers, [DELIVERY_HEADER]: delivery.id } }) : { statusCode: null, error: 'the push target was removed' };
    } else if (!url) {
      result = { statusCode: null, error: 'the webhook was removed' };
    } else {
      const secret = hook?.has_secret ? await secrets.get(SECRET_NAMES.webhookSecret(hook.id)) : null;
      const headers: Record<string, string> = { [DELIVERY_HEADER]: delivery.id };
      if (secret) headers[SIGNATURE_HEADER] = signatureHeader(secret, Math.floor(now / 1000), json);
      if (delivery.attach_images && this.#d.multipartBody) {
        result = await send({ url, headers, body: await this.#d.multipartBody(delivery, json, payload) });
      } else {
        result = await send({ url, headers: { ...headers, 'Content-Type': 'application/json' }, body: json });
      }
    }
    const at = clock.now();
    const delivered = result.error === null;
    const retryIn = delivered || (!url && !delivery.push_target_id) ? null : nextRetryDelay(delivery.attempts + 1, at - delivery.created_at, this.#d.firstRetryMs);
    const next = delivered ? { status: 'delivered' as const, at } : retryIn === null ? { status: 'failed' as const, at } : { status: 'pending' as const, at: at + retryIn };
    outbox.recordAttempt(delivery, { at, statusCode: result.statusCode, error: result.error, next });
    const target: DeliveryTarget = delivery.push_target_id ? 'push' : delivery.webhook_id ? 'webhook' : 'callback';
    this.#d.onAttempt?.(target, next.status === 'pending' ? 'retrying' : next.status);
    if (!delivered) {
      this.#d.logger.warn({ delivery: delivery.id, webhook: delivery.webhook_id, attempt: delivery.attempts + 1, status: result.statusCode, error: result.error, next: next.status },
        'notification delivery failed');
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const at = this.#d.outbox.nextDueAt();
    if (at === null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.kick();
    }, Math.max(0, at - this.#d.clock.now()));
    this.#timer.unref();
  }
}
