import webpush from 'web-push';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { ParsedPushUrl } from './push-url.ts';

/**
 * Web Push to a browser that subscribed (the installed web app on a phone): the message is
 * encrypted for that browser (aes128gcm) and signed with our VAPID key by the `web-push`
 * library; the request goes out through the same outbox and client as every other target.
 * The service worker shows it and opens the job when tapped.
 */
export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const VAPID_SECRET = 'web-push-vapid-keys';
/** Stored in the secret store before the subscription's JSON, to tell it from a push URL. */
export const WEB_PUSH_PREFIX = 'webpush:';

/** This install's VAPID key pair, made once and kept in the secret store. */
export async function vapidKeys(secrets: SecretStore): Promise<VapidKeys> {
  const stored = await secrets.get(VAPID_SECRET);
  if (stored) return JSON.parse(stored) as VapidKeys;
  const keys = webpush.generateVAPIDKeys();
  await secrets.set(VAPID_SECRET, JSON.stringify(keys));
  return keys;
}

export function webPushTarget(subscription: WebPushSubscription, vapid: VapidKeys): ParsedPushUrl {
  const endpoint = new URL(subscription.endpoint);
  return {
    kind: 'webpush',
    endpoint: subscription.endpoint,
    display: `webpush://${endpoint.host}/…`,
    build: (m) => {
      // `open` is the web app's own route for the job, which the service worker opens on a tap.
      const open = m.jobId ? `/queue?job=${encodeURIComponent(m.jobId)}` : '/queue';
      const payload = JSON.stringify({ title: m.title, body: m.body, url: m.clickUrl, image: m.imageUrl ?? null, open, tag: m.jobId ?? 'queue' });
      const details = webpush.generateRequestDetails(subscription, payload, {
        vapidDetails: { subject: 'mailto:stablequeue@localhost', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
        TTL: 24 * 60 * 60,
        contentEncoding: 'aes128gcm',
      });
      return { url: details.endpoint, method: 'POST', headers: details.headers as Record<string, string>, body: details.body as Buffer };
    },
  };
}
