import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FIRST_RETRY_MS, GIVE_UP_AFTER_MS, nextRetryDelay } from '../../../electron/engine/notify/delivery-backoff.ts';
import { parsePushUrl, PushUrlError, type PushMessage } from '../../../electron/engine/notify/push-url.ts';
import { inQuietHours } from '../../../electron/engine/notify/quiet-hours.ts';
import { signatureHeader, verifySignature } from '../../../electron/engine/notify/webhook-signature.ts';

const message: PushMessage = { title: 'Job finished', body: 'a cat', clickUrl: 'http://sq.lan/job/1', image: null, json: '{"event":"job.finished"}' };

describe('webhook signature', () => {
  it('is the hex HMAC-SHA256 of "<t>.<body>" and fails for another body, secret or time', () => {
    const header = signatureHeader('s3cret', 1700000000, '{"a":1}');
    // HMAC-SHA256("s3cret", '1700000000.{"a":1}').
    expect(header).toBe(`t=1700000000,v1=${createHmac('sha256', 's3cret').update('1700000000.{"a":1}').digest('hex')}`);
    expect(verifySignature('s3cret', header, '{"a":1}')).toBe(true);
    expect(verifySignature('s3cret', header, '{"a":2}')).toBe(false);
    expect(verifySignature('other', header, '{"a":1}')).toBe(false);
    expect(verifySignature('s3cret', header.replace('t=1700000000', 't=1700000001'), '{"a":1}')).toBe(false);
  });
});

describe('delivery backoff', () => {
  it('retries first within 10 s, then grows, and gives up after a day', () => {
    expect(nextRetryDelay(1, 0)).toBe(FIRST_RETRY_MS);
    expect(FIRST_RETRY_MS).toBeLessThanOrEqual(10_000);
    const delays = [1, 2, 3, 4, 5, 6].map((n) => nextRetryDelay(n, 0)!);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]);
    expect(nextRetryDelay(20, GIVE_UP_AFTER_MS - 1_000)).toBeNull();
  });
});

describe('quiet hours', () => {
  it('wrap midnight', () => {
    const q = { start: '22:00', end: '07:00' };
    expect(inQuietHours(q, 23 * 60)).toBe(true);
    expect(inQuietHours(q, 6 * 60 + 59)).toBe(true);
    expect(inQuietHours(q, 7 * 60)).toBe(false);
    expect(inQuietHours(q, 12 * 60)).toBe(false);
    expect(inQuietHours({ start: '09:00', end: '17:00' }, 10 * 60)).toBe(true);
    expect(inQuietHours(null, 10 * 60)).toBe(false);
  });
});

describe('push URLs', () => {
  it('ntfys posts the text to https://host/topic with a Title, and hides credentials in the display form', () => {
    const p = parsePushUrl('ntfys://bob:pw@ntfy.example.com/sd-done');
    expect(p.display).toBe('ntfys://***@ntfy.example.com/sd-done');
    const req = p.build(message);
    expect(req).toMatchObject({ url: 'https://ntfy.example.com/sd-done', body: 'a cat' });
    expect(req.headers).toMatchObject({ Title: 'Job finished', Click: 'http://sq.lan/job/1', Authorization: `Basic ${Buffer.from('bob:pw').toString('base64')}` });
  });

  it('Discord, Slack, Telegram, Pushover and Home Assistant get their own request shapes', () => {
    const discord = parsePushUrl('discord://123456/tok-en').build(message);
    expect(discord.url).toBe('https://discord.com/api/webhooks/123456/tok-en');
    expect(JSON.parse(discord.body as string).content).toBe('**Job finished**\na cat');
    const slack = parsePushUrl('slack://t000/B000/XXXX').build(message);
    expect(slack.url).toBe('https://hooks.slack.com/services/T000/B000/XXXX');
    expect(JSON.parse(slack.body as string)).toEqual({ text: '*Job finished*\na cat' });
    const tg = parsePushUrl('tgram://123:ABC@x/4242').build(message);
    expect(tg.url).toBe('https://api.telegram.org/bot123:ABC/sendMessage');
    expect(JSON.parse(tg.body as string)).toEqual({ chat_id: '4242', text: 'Job finished\na cat' });
    const po = parsePushUrl('pover://userkey@apptoken').build(message);
    expect(JSON.parse(po.body as string)).toMatchObject({ token: 'apptoken', user: 'userkey', title: 'Job finished', message: 'a cat' });
    const ha = parsePushUrl('hassio://192.168.1.9:8123/LLAT').build(message);
    expect(ha.url).toBe('http://192.168.1.9:8123/api/services/persistent_notification/create');
    expect(ha.headers.Authorization).toBe('Bearer LLAT');
    for (const url of ['discord://123456/tok-en', 'slack://t000/B000/XXXX', 'pover://userkey@apptoken', 'hassio://h:8123/LLAT', 'gotify://h/TOKEN']) {
      const display = parsePushUrl(url).display;
      for (const secret of ['tok-en', 'XXXX', 'userkey', 'apptoken', 'LLAT', 'TOKEN']) expect(display).not.toContain(secret);
    }
  });

  it('refuses unknown services and incomplete URLs', () => {
    expect(() => parsePushUrl('mailto://a@b')).toThrow(PushUrlError);
    expect(() => parsePushUrl('ntfy://host')).toThrow(/ntfy:\/\/host\/topic/);
    expect(() => parsePushUrl('slack://T/B')).toThrow(PushUrlError);
  });
});

describe('outbox pruning', () => {
  it('forgets settled deliveries and events older than the cut, keeps pending ones and the last queue.drained', async () => {
    const Database = (await import('better-sqlite3')).default;
    const { MIGRATIONS } = await import('../../../electron/engine/db/migrations/index.ts');
    const { OutboxStore } = await import('../../../electron/engine/notify/outbox-store.ts');
    const db = new Database(':memory:');
    for (const m of MIGRATIONS) m(db);
    const outbox = new OutboxStore(db as never);
    outbox.addEvent('queue.drained', null, null, 1_000);
    outbox.addEvent('server.offline', null, null, 1_000);
    for (const e of outbox.waitingEvents()) {
      outbox.fanOut(e.id, [{ id: `d${e.id}`, webhook_id: null, target_url: 'http://x/', event_id: e.id, event: e.type, payload: {}, attach_images: false }], 1_000);
    }
    const [first, second] = outbox.due(2_000, 10);
    outbox.recordAttempt(first, { at: 1_500, statusCode: 200, error: null, next: { status: 'delivered', at: 1_500 } });
    outbox.prune(5_000);
    expect(db.prepare('SELECT id FROM webhook_deliveries').all()).toEqual([{ id: second.id }]);
    expect(db.prepare('SELECT type FROM notify_events').all()).toEqual([{ type: 'queue.drained' }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM webhook_delivery_attempts').get()).toEqual({ n: 0 });
  });
});
