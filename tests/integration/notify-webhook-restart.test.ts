import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { freePort, startHeadless, type HeadlessProcess } from '../helpers/headless-process.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const SECRET = 'restart-secret-never-logged';

describe('webhook delivery across a kill -9', () => {
  let forge: ForgeEmulator;
  const tmp = makeTempDir('sq-webhook-kill-');
  const env = { STABLEQUEUE_DATA_DIR: tmp.dir, SHUTDOWN_GRACE_SECONDS: '1', LOG_LEVEL: 'info' };
  let sq: HeadlessProcess | null = null;
  let receiver: WebhookReceiver | null = null;
  let logs = '';

  beforeAll(async () => {
    forge = await createForgeEmulator({ stepMs: 5 });
  });
  afterAll(async () => {
    await sq?.kill9();
    await receiver?.close();
    await forge.close();
    tmp.cleanup();
  });

  it('retries while the receiver is down, survives SIGKILL, then delivers each delivery id exactly once', async () => {
    const receiverPort = await freePort(); // nothing listens there yet: the receiver is down
    sq = await startHeadless(env);
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url })).status).toBe(201);
    const hook = await api(sq.url, 'POST', '/api/v1/webhooks', { url: `http://127.0.0.1:${receiverPort}/hook`, events: ['job.finished'], secret: SECRET });
    expect(hook.status).toBe(201);
    const job = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'kill me softly', steps: 2, width: 64, height: 64 } });
    await waitForJobs(sq.url, [job.body.mobilesd_job_id]);

    // Two failed tries (the first at once, the retry 5 s later), then kill -9 before the third.
    const deliveries = async () => (await api(sq!.url, 'GET', `/api/v1/webhooks/${hook.body.id}/deliveries`)).body.deliveries as any[];
    const failedTwice = await waitFor(async () => {
      const d = (await deliveries())[0];
      return d && d.attempts >= 2 ? d : null;
    }, { timeoutMs: 20_000, what: 'two failed tries', intervalMs: 100 });
    expect(failedTwice.status).toBe('pending');
    expect(failedTwice.last_status_code).toBeNull();
    expect(failedTwice.last_error).toMatch(/ECONNREFUSED/);
    const tries = failedTwice.tries.map((t: any) => Date.parse(t.at));
    expect(tries[1] - tries[0]).toBeGreaterThanOrEqual(4_000);
    expect(tries[1] - tries[0]).toBeLessThanOrEqual(10_000);
    logs += sq.output();
    await sq.kill9();

    receiver = await startWebhookReceiver(receiverPort);
    sq = await startHeadless(env);
    const delivered = await waitFor(async () => {
      const d = (await deliveries()).find((x) => x.id === failedTwice.id);
      return d?.status === 'delivered' ? d : null;
    }, { timeoutMs: 40_000, what: 'delivery after restart', intervalMs: 200 });
    expect(delivered.attempts).toBe(3);
    expect(delivered.tries.map((t: any) => t.status_code)).toEqual([null, null, 200]);
    expect(delivered.last_status_code).toBe(200);

    // A little longer: nothing is sent twice.
    await new Promise((r) => setTimeout(r, 1_500));
    const byId = receiver.received.filter((r) => r.headers['x-stablequeue-delivery'] === failedTwice.id);
    expect(byId).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(byId[0].body.toString())).toMatchObject({ event: 'job.finished', job: { id: job.body.mobilesd_job_id, status: 'completed' } });

    logs += sq.output();
    await sq.terminate();
    sq = null;
    expect(logs).toContain('notification delivery failed');
    expect(logs).not.toContain(SECRET);
  });
});
