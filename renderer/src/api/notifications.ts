/** Notification targets (webhooks and push URLs) and their delivery logs: the calls the Settings page makes. */
import type { DeliveryView, NotifyEvent, PushTargetPatch, PushTargetView, WebhookPatch, WebhookView } from '../../../shared/notifications.ts';
import type { ApiClient } from './client.ts';

export type TargetKind = 'webhook' | 'push';

const BASE: Record<TargetKind, string> = { webhook: '/api/v1/webhooks', push: '/api/v1/push-targets' };

export interface NewTarget {
  url: string;
  events: NotifyEvent[];
  secret?: string;
  only_when_queue_done?: boolean;
  quiet_hours?: { start: string; end: string } | null;
}

export function notificationsApi(api: ApiClient) {
  return {
    async webhooks(): Promise<WebhookView[]> {
      return (await api.request<{ webhooks: WebhookView[] }>('GET', BASE.webhook)).webhooks;
    },
    async pushTargets(): Promise<PushTargetView[]> {
      return (await api.request<{ targets: PushTargetView[] }>('GET', BASE.push)).targets;
    },
    create(kind: TargetKind, body: NewTarget): Promise<unknown> {
      const { secret, only_when_queue_done, quiet_hours, ...common } = body;
      return api.request('POST', BASE[kind], { body: kind === 'webhook' ? { ...common, ...(secret ? { secret } : {}) } : { ...common, only_when_queue_done, quiet_hours } });
    },
    update(kind: TargetKind, id: string, patch: WebhookPatch | PushTargetPatch): Promise<unknown> {
      return api.request('PUT', `${BASE[kind]}/${encodeURIComponent(id)}`, { body: patch });
    },
    remove(kind: TargetKind, id: string): Promise<unknown> {
      return api.request('DELETE', `${BASE[kind]}/${encodeURIComponent(id)}`);
    },
    test(kind: TargetKind, id: string): Promise<unknown> {
      return api.request('POST', `${BASE[kind]}/${encodeURIComponent(id)}/test`);
    },
    async webPushPublicKey(): Promise<string> {
      return (await api.request<{ public_key: string }>('GET', '/api/v1/web-push/public-key')).public_key;
    },
    subscribeWebPush(subscription: PushSubscriptionJSON, events: NotifyEvent[]): Promise<PushTargetView> {
      return api.request('POST', '/api/v1/web-push/subscriptions', { body: { subscription, events } });
    },
    async deliveries(kind: TargetKind, id: string): Promise<DeliveryView[]> {
      return (await api.request<{ deliveries: DeliveryView[] }>('GET', `${BASE[kind]}/${encodeURIComponent(id)}/deliveries`)).deliveries;
    },
  };
}
