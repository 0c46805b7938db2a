import type { OutboundRequest } from './outbound-http.ts';

/**
 * Push services configured by one URL each, in the style of Apprise, and the request each
 * service really expects. Pure: a parsed URL plus a message in, an HTTP request out.
 *
 *   ntfy://[user:pass@]host[:port]/topic   ntfys://… (https)   — text, or the image as the body
 *   gotify://host[:port]/token  gotifys://…                     — POST /message
 *   discord://webhook_id/webhook_token                          — Discord webhook
 *   slack://T000/B000/XXXX                                      — Slack incoming webhook
 *   tgram://bot_token/chat_id                                   — Telegram sendMessage / sendPhoto
 *   pover://user_key@app_token                                  — Pushover
 *   hassio://host[:port]/access_token  hassios://…              — Home Assistant persistent notification
 *   json://host[:port]/path  jsons://…                          — generic JSON POST
 */
export const PUSH_KINDS = ['ntfy', 'gotify', 'discord', 'slack', 'telegram', 'pushover', 'homeassistant', 'json'] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

const SCHEMES: Record<string, { kind: PushKind; secure: boolean }> = {
  'ntfy:': { kind: 'ntfy', secure: false }, 'ntfys:': { kind: 'ntfy', secure: true },
  'gotify:': { kind: 'gotify', secure: false }, 'gotifys:': { kind: 'gotify', secure: true },
  'discord:': { kind: 'discord', secure: true }, 'slack:': { kind: 'slack', secure: true },
  'tgram:': { kind: 'telegram', secure: true }, 'pover:': { kind: 'pushover', secure: true },
  'hassio:': { kind: 'homeassistant', secure: false }, 'hassios:': { kind: 'homeassistant', secure: true },
  'json:': { kind: 'json', secure: false }, 'jsons:': { kind: 'json', secure: true },
};

export interface PushMessage {
  title: string;
  body: string;
  /** Where tapping the notification leads. */
  clickUrl: string | null;
  /** The first image, when the event has one and the service can take it. */
  image: { bytes: Buffer; name: string; mime: string; url: string } | null;
  /** The first image's thumbnail URL, for services that fetch it themselves. */
  imageUrl?: string | null;
  /** The job the event is about, for apps that open it in their own UI. */
  jobId?: string | null;
  /** The event's full JSON (the generic JSON target sends it as is). */
  json: string;
}

export class PushUrlError extends Error {}

export interface ParsedPushUrl {
  kind: PushKind | 'webpush';
  /** The URL with its secrets replaced by "***": safe to store, show and log. */
  display: string;
  /** The HTTP(S) URL requests go to (what the SSRF rule checks). */
  endpoint: string;
  build(message: PushMessage): OutboundRequest;
}

const parts = (url: URL) => url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

export function parsePushUrl(raw: string): ParsedPushUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new PushUrlError(`"${raw}" is not a push URL; use the form ntfys://ntfy.sh/my-topic`);
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme) throw new PushUrlError(`Unknown push service "${url.protocol.replace(':', '')}"; use one of ${Object.keys(SCHEMES).map((s) => s.replace(':', '')).join(', ')}.`);
  const http = scheme.secure ? 'https' : 'http';
  const hostPort = url.host;
  const path = parts(url);
  const need = (n: number, form: string) => {
    if (path.length < n) throw new PushUrlError(`A ${scheme.kind} URL has the form ${form}.`);
  };
  const basic: Record<string, string> = url.username ? { Authorization: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` } : {};
  const json = (endpoint: string, body: unknown, headers: Record<string, string> = {}): OutboundRequest =>
    ({ url: endpoint, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  switch (scheme.kind) {
    case 'ntfy': {
      need(1, 'ntfy://host/topic');
      const endpoint = `${http}://${hostPort}/${encodeURIComponent(path[0])}`;
      return {
        kind: 'ntfy', endpoint,
        display: `${url.protocol}//${url.username ? '***@' : ''}${hostPort}/${path[0]}`,
        build: (m) => {
          const headers: Record<string, string> = { ...basic, Title: m.title, ...(m.clickUrl ? { Click: m.clickUrl } : {}) };
          // With an image: the file is the body (PUT), the text goes in the Message header.
          if (m.image) return { url: endpoint, method: 'PUT', headers: { ...headers, Filename: m.image.name, Message: m.body.replace(/\n/g, '\\n') }, body: m.image.bytes };
          return { url: endpoint, headers: { ...headers, 'Content-Type': 'text/plain' }, body: m.body };
        },
      };
    }
    case 'gotify': {
      need(1, 'gotify://host/app_token');
      const endpoint = `${http}://${hostPort}/message`;
      return {
        kind: 'gotify', endpoint, display: `${url.protocol}//${hostPort}/***`,
        build: (m) => json(endpoint, { title: m.title, message: m.body, priority: 5, extras: m.clickUrl ? { 'client::notification': { click: { url: m.clickUrl } } } : undefined },
          { 'X-Gotify-Key': path[0] }),
      };
    }
    case 'discord': {
      const id = url.hostname;
      need(1, 'discord://webhook_id/webhook_token');
      const endpoint = `https://discord.com/api/webhooks/${id}/${path[0]}`;
      return {
        kind: 'discord', endpoint, display: `discord://${id}/***`,
        build: (m) => json(endpoint, { content: `**${m.title}**\n${m.body}`, embeds: m.image ? [{ title: m.title, url: m.clickUrl ?? undefined, image: { url: m.image.url } }] : [] }),
      };
    }
    case 'slack': {
      need(2, 'slack://T000/B000/XXXX');
      const endpoint = `https://hooks.slack.com/services/${url.hostname.toUpperCase()}/${path[0]}/${path[1]}`;
      return { kind: 'slack', endpoint, display: `slack://${url.hostname.toUpperCase()}/***`, build: (m) => json(endpoint, { text: `*${m.title}*\n${m.body}` }) };
    }
    case 'telegram': {
      need(1, 'tgram://bot_token/chat_id');
      const token = decodeURIComponent(url.username ? `${url.username}:${url.password}` : url.hostname);
      const endpoint = `https://api.telegram.org/bot${token}`;
      return {
        kind: 'telegram', endpoint: `${endpoint}/sendMessage`, display: `tgram://***/${path[0]}`,
        build: (m) => json(`${endpoint}/sendMessage`, { chat_id: path[0], text: `${m.title}\n${m.body}` }),
      };
    }
    case 'pushover': {
      const endpoint = 'https://api.pushover.net/1/messages.json';
      if (!url.username || !url.hostname) throw new PushUrlError('A Pushover URL has the form pover://user_key@app_token.');
      return {
        kind: 'pushover', endpoint, display: 'pover://***@***',
        build: (m) => json(endpoint, { token: url.hostname, user: decodeURIComponent(url.username), title: m.title, message: m.body, url: m.clickUrl ?? undefined }),
      };
    }
    case 'homeassistant': {
      need(1, 'hassio://host:8123/long_lived_access_token');
      const endpoint = `${http}://${hostPort}/api/services/persistent_notification/create`;
      return {
        kind: 'homeassistant', endpoint, display: `${url.protocol}//${hostPort}/***`,
        build: (m) => json(endpoint, { title: m.title, message: m.body }, { Authorization: `Bearer ${path[0]}` }),
      };
    }
    case 'json': {
      const endpoint = `${http}://${hostPort}${url.pathname}${url.search}`;
      return {
        kind: 'json', endpoint, display: `${url.protocol}//${url.username ? '***@' : ''}${hostPort}${url.pathname}`,
        build: (m) => ({ url: endpoint, headers: { 'Content-Type': 'application/json', ...basic }, body: m.json }),
      };
    }
  }
}
