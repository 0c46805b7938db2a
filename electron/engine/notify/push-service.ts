import { randomUUID } from 'node:crypto';
import type { PushTargetCreate, PushTargetPatch, PushTargetView } from '../../../shared/notifications.ts';
import { isoAt, type Clock } from '../clock.ts';
import { DomainError } from '../domain-error.ts';
import { validateTargetUrl } from '../net/target-url.ts';
import { SECRET_NAMES, type SecretStore } from '../secrets/secret-store.ts';
import type { OutboxStore } from './outbox-store.ts';
import type { PushTargetStore } from './push-target-store.ts';
import { parsePushUrl, PushUrlError, type ParsedPushUrl } from './push-url.ts';
import { vapidKeys, WEB_PUSH_PREFIX, webPushTarget, type WebPushSubscription } from './web-push-target.ts';

/**
 * Push target changes as the API makes them: the URL parsed (unknown service or wrong
 * form: 400), its endpoint checked by the SSRF rule, the whole URL kept in the secret
 * store and only its display form (secrets cut out) in SQLite.
 */
export class PushService {
  readonly #store: PushTargetStore;
  readonly #outbox: OutboxStore;
  readonly #secrets: SecretStore;
  readonly #clock: Clock;
  readonly #wake: () => void;

  constructor(deps: { store: PushTargetStore; outbox: OutboxStore; secrets: SecretStore; clock: Clock; wake: () => void }) {
    this.#store = deps.store;
    this.#outbox = deps.outbox;
    this.#secrets = deps.secrets;
    this.#clock = deps.clock;
    this.#wake = deps.wake;
  }

  list(): PushTargetView[] {
    return this.#store.list();
  }

  get(id: string): PushTargetView {
    const target = this.#store.get(id);
    if (!target) throw new DomainError(404, 'not_found', `No push target ${id}; GET /api/v1/push-targets lists them.`);
    return target;
  }

  async #parse(raw: string): Promise<ParsedPushUrl> {
    let parsed: ParsedPushUrl;
    try {
      parsed = parsePushUrl(raw);
    } catch (error) {
      if (error instanceof PushUrlError) throw new DomainError(400, 'invalid_push_url', error.message);
      throw error;
    }
    await validateTargetUrl(parsed.endpoint);
    return parsed;
  }

  /** The parsed URL of a stored target, from the secret store. */
  async resolved(id: string): Promise<ParsedPushUrl | null> {
    const raw = await this.#secrets.get(SECRET_NAMES.pushUrl(id));
    if (raw?.startsWith(WEB_PUSH_PREFIX)) return webPushTarget(JSON.parse(raw.slice(WEB_PUSH_PREFIX.length)) as WebPushSubscription, await vapidKeys(this.#secrets));
    return raw ? parsePushUrl(raw) : null;
  }

  /** The VAPID public key a browser subscribes with. */
  async vapidPublicKey(): Promise<string> {
    return (await vapidKeys(this.#secrets)).publicKey;
  }

  /** Stores a browser's Web Push subscription as a push target (its keys in the secret store). */
  async subscribe(subscription: WebPushSubscription, events: PushTargetCreate['events']): Promise<PushTargetView> {
    await validateTargetUrl(subscription.endpoint);
    const id = randomUUID();
    await this.#secrets.set(SECRET_NAMES.pushUrl(id), WEB_PUSH_PREFIX + JSON.stringify(subscription));
    const target: PushTargetView = {
      id, kind: 'webpush', url: webPushTarget(subscription, { publicKey: '', privateKey: '' }).display, events, quiet_hours: null,
      only_when_queue_done: false, enabled: true, created_at: isoAt(this.#clock),
    };
    this.#store.save(target);
    return target;
  }

  async create(input: PushTargetCreate): Promise<PushTargetView> {
    const parsed = await this.#parse(input.url);
    const id = randomUUID();
    await this.#secrets.set(SECRET_NAMES.pushUrl(id), input.url.trim());
    const target: PushTargetView = {
      id, kind: parsed.kind, url: parsed.display, events: input.events, quiet_hours: input.quiet_hours ?? null,
      only_when_queue_done: input.only_when_queue_done ?? false, enabled: input.enabled ?? true,
      created_at: isoAt(this.#clock),
    };
    this.#store.save(target);
    return target;
  }

  async update(id: string, patch: PushTargetPatch): Promise<PushTargetView> {
    const current = this.get(id);
    const parsed = patch.url !== undefined ? await this.#parse(patch.url) : null;
    if (parsed && patch.url) await this.#secrets.set(SECRET_NAMES.pushUrl(id), patch.url.trim());
    const next: PushTargetView = {
      ...current, kind: parsed?.kind ?? current.kind, url: parsed?.display ?? current.url, events: patch.events ?? current.events,
      quiet_hours: patch.quiet_hours === undefined ? current.quiet_hours : patch.quiet_hours,
      only_when_queue_done: patch.only_when_queue_done ?? current.only_when_queue_done, enabled: patch.enabled ?? current.enabled,
    };
    this.#store.save(next);
    return next;
  }

  async delete(id: string): Promise<void> {
    if (!this.#store.delete(id)) throw new DomainError(404, 'not_found', `No push target ${id}; GET /api/v1/push-targets lists them.`);
    await this.#secrets.delete(SECRET_NAMES.pushUrl(id));
  }

  sendTest(id: string): void {
    this.get(id);
    this.#outbox.addEvent('test', null, { push_target_id: id }, this.#clock.now());
    this.#wake();
  }
}
