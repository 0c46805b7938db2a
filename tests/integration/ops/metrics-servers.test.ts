import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
// After the engine: the emulator shares modules with it, imported first they form a cycle.
import { createForgeEmulator, type ForgeEmulator } from '../../emulators/forge/index.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';

type Sample = { value?: string; labels?: Record<string, string>; buckets?: Record<string, string> };
type Family = { name: string; type: string; metrics: Sample[] };

async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return new Map((parsePrometheusTextFormat(await res.text()) as Family[]).map((f) => [f.name, f]));
}

const value = (all: Map<string, Family>, name: string, labels: Record<string, string>): number =>
  Number(all.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? 0);

const MODEL_LOAD_MS = 400;

describe('server metrics: VRAM, model loads, notification deliveries', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 10 });
    forge = await createForgeEmulator({ stepMs: 5, modelLoadMs: MODEL_LOAD_MS });
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'gpu1', app_type: 'forge', api_url: forge.url })).status).toBe(201);
    receiver = await startWebhookReceiver();
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body[0]?.status === 'online', { what: 'server online' });
  });
  afterAll(async () => {
    await sq.stop();
    await forge.close();
    await receiver.close();
  });

  it("exports each server's VRAM free and total as read from /sdapi/v1/memory by the health check", async () => {
    const all = await scrape(sq.url);
    // The emulator answers cuda.system {free: 17e9, total: 25757051392} like a 24 GB card.
    expect(value(all, 'stablequeue_server_vram_free_bytes', { server: 'gpu1' })).toBe(17_000_000_000);
    expect(value(all, 'stablequeue_server_vram_total_bytes', { server: 'gpu1' })).toBe(25_757_051_392);
    expect(forge.requests.some((r) => r.method === 'GET' && r.path === '/sdapi/v1/memory')).toBe(true);
  });

  it('counts a model load when a job asks for another checkpoint than the last one, times it, and counts webhook deliveries by result', async () => {
    expect((await api(sq.url, 'POST', '/api/v1/webhooks', { url: `${receiver.url}/hook`, events: ['job.finished'] })).status).toBe(201);
    // Nothing listens on port 1: every try fails and is scheduled again.
    expect((await api(sq.url, 'POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:1/down', events: ['job.finished'] })).status).toBe(201);
    const before = await scrape(sq.url);
    expect(value(before, 'stablequeue_model_loads_total', { server: 'gpu1' })).toBe(0);

    // In queue order (grouping by loaded model would run the fourth job second and save a load).
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { dispatch_grouping: false })).status).toBe(200);
    // The server starts with v1-5 loaded: the first job loads nothing, the second and fourth switch.
    const checkpoints = ['v1-5-pruned-emaonly.safetensors', 'sdxl/juggernautXL_v9.safetensors', 'sdxl/juggernautXL_v9.safetensors', 'v1-5-pruned-emaonly.safetensors'];
    const ids: string[] = [];
    for (const [i, checkpoint_name] of checkpoints.entries()) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'gpu1', generation_params: { positive_prompt: `m${i}`, checkpoint_name, steps: 3, width: 64, height: 64 } });
      expect(res.status).toBe(202);
      ids.push(res.body.mobilesd_job_id);
    }
    expect((await waitForJobs(sq.url, ids)).map((j) => j.status)).toEqual(['completed', 'completed', 'completed', 'completed']);

    await waitFor(() => receiver.received.length >= 4, { what: 'four webhook deliveries' });
    const after = await waitFor(async () => {
      const all = await scrape(sq.url);
      return value(all, 'stablequeue_webhook_deliveries_total', { target: 'webhook', result: 'retrying' }) >= 1 ? all : null;
    }, { what: 'a failed delivery counted' });
    expect(value(after, 'stablequeue_model_loads_total', { server: 'gpu1' })).toBe(2);
    // One count: the Queue's model loads (dispatch stats) are the number /metrics exports.
    const dispatch = await api(sq.url, 'GET', '/api/v1/queue/dispatch-stats');
    expect(dispatch.body.servers.find((s: { alias: string }) => s.alias === 'gpu1').model_loads).toBe(2);
    const loadTime = after.get('stablequeue_model_load_seconds')!;
    expect(loadTime.type).toBe('HISTOGRAM');
    // This parser keeps a histogram's buckets only: two loads, neither under 0.25 s (the emulator takes 0.4 s to load).
    expect(Number(loadTime.metrics[0].buckets?.['+Inf'])).toBe(2);
    expect(Number(loadTime.metrics[0].buckets?.['0.25'])).toBe(0);
    expect(value(after, 'stablequeue_webhook_deliveries_total', { target: 'webhook', result: 'delivered' })).toBe(4);
  });
});
