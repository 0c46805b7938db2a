import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

// The reference implementation of RFC 8188 (what web-push itself encrypts with) acts as the browser.
const ece = createRequire(import.meta.url)('http_ece') as { decrypt(body: Buffer, opts: Record<string, unknown>): Buffer };
const b64url = (b: Buffer) => b.toString('base64url');

/** Checks an ES256 JWT with the raw P-256 public key given in the `k=` of the VAPID header. */
function verifyVapidJwt(jwt: string, rawPublicKey: Buffer): Record<string, unknown> {
  const [h, p, s] = jwt.split('.');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(rawPublicKey.subarray(1, 33)), y: b64url(rawPublicKey.subarray(33, 65)) }, format: 'jwk' });
  expect(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))).toBe(true);
  expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({ alg: 'ES256' });
  return JSON.parse(Buffer.from(p, 'base64url').toString());
}

describe('Web Push', { timeout: 120_000 }, () => {
  let sq: TestEngine;
  let forge: ForgeEmulator[];
  let pushService: WebhookReceiver;

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 50 });
    forge = await addForgeServers(sq.url, 1);
    pushService = await startWebhookReceiver();
    pushService.respondWith(201);
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forge.map((f) => f.close()));
    await pushService.close();
  });

  it('stores the subscription and sends a VAPID-signed, aes128gcm-encrypted push the browser can decrypt', async () => {
    const vapid = await api(sq.url, 'GET', '/api/v1/web-push/public-key');
    expect(vapid.status).toBe(200);
    const vapidPublic = Buffer.from(vapid.body.public_key, 'base64url');
    expect(vapidPublic).toHaveLength(65);

    const browserKey = createECDH('prime256v1');
    browserKey.generateKeys();
    const auth = randomBytes(16);
    const sub = await api(sq.url, 'POST', '/api/v1/web-push/subscriptions', {
      subscription: { endpoint: `${pushService.url}/push/device-1`, keys: { p256dh: b64url(browserKey.getPublicKey()), auth: b64url(auth) } },
      events: ['job.finished', 'job.failed', 'queue.drained'],
    });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ kind: 'webpush' });
    expect((await api(sq.url, 'GET', '/api/v1/push-targets')).body.targets.map((t: any) => t.id)).toContain(sub.body.id);

    const job = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'a fox in snow', steps: 2, width: 64, height: 64 } });
    await waitForJobs(sq.url, [job.body.mobilesd_job_id]);
    await waitFor(() => pushService.received.length >= 2 || null, { what: 'two pushes (job + queue done)' });

    const pushes = pushService.received.map((req) => {
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/push/device-1');
      expect(req.headers['content-encoding']).toBe('aes128gcm');
      expect(Number(req.headers.ttl)).toBeGreaterThan(0);
      const [, jwt, k] = /^vapid t=([^,]+), k=(.+)$/.exec(String(req.headers.authorization))!;
      expect(Buffer.from(k, 'base64url').equals(vapidPublic)).toBe(true);
      const claims = verifyVapidJwt(jwt, vapidPublic);
      expect(claims.aud).toBe(pushService.url);
      expect(Number(claims.exp)).toBeGreaterThan(Date.now() / 1000);
      expect(req.body.includes(Buffer.from('a fox'))).toBe(false);
      return JSON.parse(ece.decrypt(req.body, { version: 'aes128gcm', privateKey: browserKey, authSecret: b64url(auth) }).toString());
    });
    const done = pushes.find((p) => p.title === 'Job finished');
    expect(done.body).toContain('a fox in snow');
    expect(done.url).toMatch(new RegExp(`/api/v1/queue/jobs/${job.body.mobilesd_job_id}$`));
    expect(done.image).toMatch(/\/api\/v1\/images\/\d+\/thumbnail$/);
    expect(pushes.map((p) => p.title)).toContain('Queue done');
  });
});
