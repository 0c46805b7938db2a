import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../electron/engine/notify/webhook-signature.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const SECRET = 'whsec-correct-horse-battery-staple';

describe('webhooks', { timeout: 120_000 }, () => {
  let sq: TestEngine;
  let forge: ForgeEmulator[];
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 50 });
    forge = await addForgeServers(sq.url, 1);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forge.map((f) => f.close()));
    await receiver.close();
  });

  it('sends a signed POST for a finished job with its status, prompt and absolute image URLs', async () => {
    const created = await api(sq.url, 'POST', '/api/v1/webhooks', { url: `${receiver.url}/hook`, events: ['job.finished', 'queue.drained'], secret: SECRET });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ has_secret: true, events: ['job.finished', 'queue.drained'] });
    expect(JSON.stringify(created.body)).not.toContain(SECRET);

    const job = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'a lighthouse at dusk', steps: 3, width: 64, height: 64, batch_size: 2 } });
    expect(job.status).toBe(202);
    const id = job.body.mobilesd_job_id as string;
    await waitForJobs(sq.url, [id]);
    const finished = await waitFor(() => receiver.received.find((r) => JSON.parse(r.body.toString()).event === 'job.finished'), { what: 'job.finished delivery' });

    const signature = String(finished.headers['x-stablequeue-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, signature, finished.body)).toBe(true);
    expect(verifySignature('another-secret', signature, finished.body)).toBe(false);
    const t = Number(/t=(\d+)/.exec(signature)![1]);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(60);
    expect(finished.headers['x-stablequeue-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(finished.headers['content-type']).toContain('application/json');

    const body = JSON.parse(finished.body.toString());
    expect(body.event).toBe('job.finished');
    expect(Date.parse(body.delivered_at)).not.toBeNaN();
    expect(body.job).toMatchObject({ id, status: 'completed', prompt: 'a lighthouse at dusk' });
    expect(body.job.images).toHaveLength(2);
    for (const image of body.job.images) {
      expect(image.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/images\/\d+\/download$/);
      const file = await fetch(image.url);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    }

    // The queue is empty after it: one queue.drained as well.
    await waitFor(() => receiver.received.find((r) => JSON.parse(r.body.toString()).event === 'queue.drained'), { what: 'queue.drained delivery' });

    const log = await api(sq.url, 'GET', `/api/v1/webhooks/${created.body.id}/deliveries`);
    expect(log.status).toBe(200);
    const entry = log.body.deliveries.find((d: any) => d.id === finished.headers['x-stablequeue-delivery']);
    expect(entry).toMatchObject({ event: 'job.finished', status: 'delivered', attempts: 1, last_status_code: 200 });
    expect(entry.tries).toHaveLength(1);
  });

  it('links point at the public address when one is set; a bad address is refused and changes nothing', async () => {
    for (const bad of ['ftp://sd.lan', 'sd.lan', 'https://sd.lan/?q=1', 'javascript:alert(1)', 'https://sd lan']) {
      const res = await api(sq.url, 'PUT', '/api/v1/settings', { public_url: bad });
      expect(res.status, bad).toBe(400);
    }
    expect((await api(sq.url, 'GET', '/api/v1/settings')).body.public_url).toBeNull();
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { public_url: 'https://sd.home.example' })).body.public_url).toBe('https://sd.home.example');
    const before = receiver.received.length;
    const job = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'behind a proxy', steps: 2, width: 64, height: 64 } });
    await waitForJobs(sq.url, [job.body.mobilesd_job_id]);
    const got = await waitFor(() => receiver.received.slice(before).find((r) => JSON.parse(r.body.toString()).job?.id === job.body.mobilesd_job_id), { what: 'delivery with the public address' });
    const body = JSON.parse(got.body.toString());
    expect(body.job.url).toBe(`https://sd.home.example/api/v1/queue/jobs/${job.body.mobilesd_job_id}`);
    expect(body.job.images[0].url).toMatch(/^https:\/\/sd\.home\.example\/api\/v1\/images\/\d+\/download$/);
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { public_url: null })).body.public_url).toBeNull();
  });

  it('"send test" delivers a test event to that webhook only', async () => {
    const other = await api(sq.url, 'POST', '/api/v1/webhooks', { url: `${receiver.url}/other`, events: ['job.failed'] });
    const before = receiver.received.length;
    expect((await api(sq.url, 'POST', `/api/v1/webhooks/${other.body.id}/test`)).status).toBe(202);
    const test = await waitFor(() => receiver.received.slice(before).find((r) => r.url === '/other'), { what: 'test delivery' });
    expect(JSON.parse(test.body.toString()).event).toBe('test');
    expect(test.headers['x-stablequeue-signature']).toBeUndefined();
    expect(receiver.received.slice(before).filter((r) => r.url === '/hook')).toHaveLength(0);
  });

  it('updates and deletes a webhook; unknown ids are 404 and bad input is 400 with nothing written', async () => {
    const hook = await api(sq.url, 'POST', '/api/v1/webhooks', { url: `${receiver.url}/x`, events: ['job.failed'], secret: 'first-secret-1' });
    const put = await api(sq.url, 'PUT', `/api/v1/webhooks/${hook.body.id}`, { events: ['server.offline', 'server.online'], secret: null });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ events: ['server.offline', 'server.online'], has_secret: false, url: `${receiver.url}/x` });
    expect((await api(sq.url, 'GET', `/api/v1/webhooks/${hook.body.id}`)).body.has_secret).toBe(false);
    expect((await sq.engine.secrets.get(`webhook-secret:${hook.body.id}`))).toBeNull();
    expect((await api(sq.url, 'DELETE', `/api/v1/webhooks/${hook.body.id}`)).status).toBe(204);
    expect((await api(sq.url, 'GET', `/api/v1/webhooks/${hook.body.id}`)).status).toBe(404);
    expect((await api(sq.url, 'PUT', '/api/v1/webhooks/nope', { enabled: false })).status).toBe(404);
    const count = (await api(sq.url, 'GET', '/api/v1/webhooks')).body.webhooks.length;
    for (const bad of [{ url: 'ftp://x/y', events: ['job.failed'] }, { url: `${receiver.url}/y`, events: ['job.exploded'] }, { url: `${receiver.url}/y`, events: [] }, { url: 'not a url', events: ['job.failed'] }]) {
      const res = await api(sq.url, 'POST', '/api/v1/webhooks', bad);
      expect(res.status).toBe(400);
      expect(res.body.error).toBeTypeOf('string');
    }
    expect((await api(sq.url, 'GET', '/api/v1/webhooks')).body.webhooks.length).toBe(count);
  });

  it('refuses webhook URLs to link-local and cloud metadata addresses, and allows the private LAN', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/hook', 'http://100.100.100.200/x', 'http://[::ffff:169.254.169.254]/x']) {
      const res = await api(sq.url, 'POST', '/api/v1/webhooks', { url, events: ['job.finished'] });
      expect(res.status, url).toBe(400);
      expect(res.body.error).toBe('forbidden_address');
    }
    const lan = await api(sq.url, 'POST', '/api/v1/webhooks', { url: 'http://192.168.1.50:8123/api/webhook/sd', events: ['job.finished'], enabled: false });
    expect(lan.status).toBe(201);
    await api(sq.url, 'DELETE', `/api/v1/webhooks/${lan.body.id}`);
  });

  it('keeps the secret out of the database file', async () => {
    const secret = 'a-secret-that-must-stay-out-of-sqlite';
    await api(sq.url, 'POST', '/api/v1/webhooks', { url: `${receiver.url}/z`, events: ['job.finished'], secret });
    sq.engine.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const name of fs.readdirSync(sq.dataDir).filter((f) => f.startsWith('stablequeue.db'))) {
      expect(fs.readFileSync(path.join(sq.dataDir, name)).includes(secret), name).toBe(false);
    }
  });
});

describe('a job\'s own callback_url', { timeout: 120_000 }, () => {
  let sq: TestEngine;
  let forge: ForgeEmulator[];
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 50 });
    forge = await addForgeServers(sq.url, 1);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forge.map((f) => f.close()));
    await receiver.close();
  });

  it('gets the result as multipart with the images\' exact bytes when callback_images is set', async () => {
    const job = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1', callback_url: `${receiver.url}/cb?token=abc`, callback_images: true,
      generation_params: { positive_prompt: 'two owls', steps: 2, width: 64, height: 64, batch_size: 2 },
    });
    expect(job.status).toBe(202);
    const id = job.body.mobilesd_job_id as string;
    await waitForJobs(sq.url, [id]);
    const got = await waitFor(() => receiver.received.find((r) => r.url === '/cb?token=abc'), { what: 'callback' });
    expect(got.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(got.headers['x-stablequeue-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const form = await new Response(new Uint8Array(got.body), { headers: { 'content-type': String(got.headers['content-type']) } }).formData();
    const payload = JSON.parse(await (form.get('payload') as Blob).text());
    expect(payload).toMatchObject({ event: 'job.finished', job: { id, status: 'completed', prompt: 'two owls' } });
    const files = form.getAll('images') as File[];
    expect(files).toHaveLength(2);
    for (const [i, image] of payload.job.images.entries()) {
      const original = Buffer.from(await (await fetch(image.url)).arrayBuffer());
      const sent = Buffer.from(await files[i].arrayBuffer());
      expect(sent.equals(original)).toBe(true);
      expect(files[i].type).toBe('image/png');
    }
  });

  it('gets plain JSON without callback_images', async () => {
    const job = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1', callback_url: `${receiver.url}/cb-json`, generation_params: { positive_prompt: 'json only', steps: 2, width: 64, height: 64 },
    });
    await waitForJobs(sq.url, [job.body.mobilesd_job_id]);
    const got = await waitFor(() => receiver.received.find((r) => r.url === '/cb-json'), { what: 'json callback' });
    expect(got.headers['content-type']).toContain('application/json');
    expect(JSON.parse(got.body.toString()).job.id).toBe(job.body.mobilesd_job_id);
  });

  it('refuses a callback_url to the metadata address, storing no job', async () => {
    const before = (await api(sq.url, 'GET', '/api/v1/queue/jobs?limit=1')).body.total;
    const res = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1', callback_url: 'http://169.254.169.254/latest', generation_params: { positive_prompt: 'x', steps: 2, width: 64, height: 64 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('forbidden_address');
    expect((await api(sq.url, 'GET', '/api/v1/queue/jobs?limit=1')).body.total).toBe(before);
  });
});
