import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const GOTIFY_TOKEN = 'AbCdEf-gotify-app-token-123';

describe('push targets (Apprise-style URLs)', { timeout: 180_000 }, () => {
  let sq: TestEngine;
  let forge: ForgeEmulator[];
  let ntfy: WebhookReceiver;
  let gotify: WebhookReceiver;

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 50 });
    forge = await addForgeServers(sq.url, 1);
    ntfy = await startWebhookReceiver();
    gotify = await startWebhookReceiver();
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forge.map((f) => f.close()));
    await ntfy.close();
    await gotify.close();
  });

  it('ntfy gets each finished job with its image; gotify, set to "only when the queue is done", gets one message for 10 jobs', async () => {
    const n = await api(sq.url, 'POST', '/api/v1/push-targets', { url: `ntfy://127.0.0.1:${ntfy.port}/sq-jobs`, events: ['job.finished'] });
    expect(n.status).toBe(201);
    expect(n.body).toMatchObject({ kind: 'ntfy', url: `ntfy://127.0.0.1:${ntfy.port}/sq-jobs` });
    const g = await api(sq.url, 'POST', '/api/v1/push-targets', {
      url: `gotify://127.0.0.1:${gotify.port}/${GOTIFY_TOKEN}`, events: ['job.finished', 'queue.drained'], only_when_queue_done: true,
    });
    expect(g.status).toBe(201);
    expect(g.body).toMatchObject({ kind: 'gotify', only_when_queue_done: true });
    expect(JSON.stringify(g.body)).not.toContain(GOTIFY_TOKEN);

    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: `owl number ${i}`, steps: 2, width: 64, height: 64 } });
      ids.push(res.body.mobilesd_job_id);
    }
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitForJobs(sq.url, ids, 120_000);

    // ntfy: the image is the PUT body, the text in the Message header (its real attachment form).
    await waitFor(() => ntfy.received.length >= 10 || null, { timeoutMs: 30_000, what: '10 ntfy messages' });
    for (const req of ntfy.received) {
      expect(req.method).toBe('PUT');
      expect(req.url).toBe('/sq-jobs');
      expect(req.headers.title).toBe('Job finished');
      expect(String(req.headers.message)).toMatch(/^owl number \d \(1 image\)$/);
      expect(String(req.headers.filename)).toMatch(/\.png$/);
      expect(req.body.subarray(1, 4).toString()).toBe('PNG');
      expect(String(req.headers.click)).toMatch(/\/api\/v1\/queue\/jobs\//);
    }
    expect(new Set(ntfy.received.map((r) => r.headers.message)).size).toBe(10);

    // Gotify: POST /message with the app token, JSON title/message; one for the whole queue.
    const drained = await waitFor(() => gotify.received[0], { timeoutMs: 30_000, what: 'gotify message' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(gotify.received).toHaveLength(1);
    expect(drained.method).toBe('POST');
    expect(drained.url).toBe('/message');
    expect(drained.headers['x-gotify-key']).toBe(GOTIFY_TOKEN);
    expect(JSON.parse(drained.body.toString())).toMatchObject({ title: 'Queue done', message: '10 jobs finished.' });

    const log = await api(sq.url, 'GET', `/api/v1/push-targets/${g.body.id}/deliveries`);
    expect(log.body.deliveries).toHaveLength(1);
    expect(log.body.deliveries[0]).toMatchObject({ event: 'queue.drained', status: 'delivered', last_status_code: 200 });

    // The token is in the secret store only.
    sq.engine.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const name of fs.readdirSync(sq.dataDir).filter((f) => f.startsWith('stablequeue.db'))) {
      expect(fs.readFileSync(path.join(sq.dataDir, name)).includes(GOTIFY_TOKEN), name).toBe(false);
    }
  });

  it('quiet hours hold a target\'s messages; bad URLs are a clear 400', async () => {
    const now = new Date();
    const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    const quiet = { start: hhmm(new Date(now.getTime() - 60 * 60_000)), end: hhmm(new Date(now.getTime() + 60 * 60_000)) };
    const t = await api(sq.url, 'POST', '/api/v1/push-targets', { url: `ntfy://127.0.0.1:${ntfy.port}/quiet`, events: ['job.finished'], quiet_hours: quiet });
    expect(t.status).toBe(201);
    const job = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'at night', steps: 2, width: 64, height: 64 } });
    await waitForJobs(sq.url, [job.body.mobilesd_job_id]);
    await waitFor(() => ntfy.received.find((r) => r.headers.message === 'at night (1 image)'), { what: 'the non-quiet target' });
    expect(ntfy.received.filter((r) => r.url === '/quiet')).toHaveLength(0);

    for (const url of ['mailto://x@y', 'ntfy://127.0.0.1', 'gotify://169.254.169.254/token', 'not a url']) {
      const res = await api(sq.url, 'POST', '/api/v1/push-targets', { url, events: ['job.finished'] });
      expect(res.status, url).toBe(400);
    }
  });
});
