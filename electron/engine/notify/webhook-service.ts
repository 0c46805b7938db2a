import { randomUUID } from 'node:crypto';
import type { WebhookCreate, WebhookPatch, WebhookView } from '../../../shared/notifications.ts';
import { isoAt, type Clock } from '../clock.ts';
import { DomainError } from '../domain-error.ts';
import { SECRET_NAMES, type SecretStore } from '../secrets/secret-store.ts';
import type { OutboxStore } from './outbox-store.ts';
import { validateTargetUrl } from '../net/target-url.ts';
import type { WebhookStore } from './webhook-store.ts';

/**
 * Webhook changes as the API makes them: the URL checked against the SSRF rule, the
 * secret kept in the secret store (the row only says whether there is one), and the
 * "send test" event put in the outbox like any other.
 */
export class WebhookService {
  readonly #store: WebhookStore;
  readonly #outbox: OutboxStore;
  readonly #secrets: SecretStore;
  readonly #clock: Clock;
  readonly #wake: () => void;

  constructor(deps: { store: WebhookStore; outbox: OutboxStore; secrets: SecretStore; clock: Clock; wake: () => void }) {
    this.#store = deps.store;
    this.#outbox = deps.outbox;
    this.#secrets = deps.secrets;
    this.#clock = deps.clock;
    this.#wake = deps.wake;
  }

  list(): WebhookView[] {
    return this.#store.list();
  }

  get(id: string): WebhookView {
    const hook = this.#store.get(id);
    if (!hook) throw new DomainError(404, 'not_found', `No webhook ${id}; GET /api/v1/webhooks lists them.`);
    return hook;
  }

  async create(input: WebhookCreate): Promise<WebhookView> {
    const url = await validateTargetUrl(input.url);
    const id = randomUUID();
    // The secret first: a row that says "has a secret" must never exist without it.
    if (input.secret) await this.#secrets.set(SECRET_NAMES.webhookSecret(id), input.secret);
    return this.#store.insert({
      id, url, events: input.events, has_secret: Boolean(input.secret), enabled: input.enabled ?? true,
      created_at: isoAt(this.#clock),
    });
  }

  async update(id: string, patch: WebhookPatch): Promise<WebhookView> {
    const current = this.get(id);
    const url = patch.url !== undefined ? await validateTargetUrl(patch.url) : current.url;
    if (patch.secret) await this.#secrets.set(SECRET_NAMES.webhookSecret(id), patch.secret);
    const next: WebhookView = {
      ...current, url, events: patch.events ?? current.events, enabled: patch.enabled ?? current.enabled,
      has_secret: patch.secret === undefined ? current.has_secret : patch.secret !== null,
    };
    this.#store.update(next);
    if (patch.secret === null) await this.#secrets.delete(SECRET_NAMES.webhookSecret(id));
    return next;
  }

  async delete(id: string): Promise<void> {
    if (!this.#store.delete(id)) throw new DomainError(404, 'not_found', `No webhook ${id}; GET /api/v1/webhooks lists them.`);
    await this.#secrets.delete(SECRET_NAMES.webhookSecret(id));
  }

  /** Queues a `test` delivery to this one webhook, through the outbox like a real event. */
  sendTest(id: string): void {
    this.get(id);
    this.#outbox.addEvent('test', null, { webhook_id: id }, this.#clock.now());
    this.#wake();
  }
}
