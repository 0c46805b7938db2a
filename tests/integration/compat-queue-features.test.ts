/**
 * Facade jobs are queue jobs like any other: a pending A1111-facade job edited from the
 * Queue runs as edited and the waiting txt2img call answers with the edited result; a
 * facade job triggers the webhooks the user set up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../electron/engine/results/png-text.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers, generationRequests } from '../helpers/forge-servers.ts';
import { api, waitFor } from '../helpers/http.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

type Key = { id: string; key: string; secret: string };
const CLIENT = 'SillyTavern/1.12.6';
const TXT = { steps: 4, width: 64, height: 64, seed: 42, sampler_name: 'Euler a' };

describe('facade jobs in the queue', { timeout: 60_000 }, () => {
  let sq: TestEngine;
  let forge: ForgeEmulator[];
  let receiver: WebhookReceiver;
  let key: Key;
  const a1111 = (path: string, body: unknown) => api(`${sq.url}/compat/a1111`, 'POST', path, body, {
    authorization: `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString('base64')}`, 'user-agent': CLIENT,
  });

  beforeAll(async () => {
    sq = await startTestEngine();
    forge = await addForgeServers(sq.url, 1);
    receiver = await startWebhookReceiver();
    key = (await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'chat front-end', permissions: ['submit', 'read'] })).body;
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'server online' });
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forge.map((f) => f.close()));
    await receiver.close();
  });

  it('a pending A1111 facade job edited from the Queue runs as edited, and the waiting txt2img call answers with the edited result', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    try {
      const call = a1111('/sdapi/v1/txt2img', { ...TXT, prompt: 'a castle, before the edit' });
      const job = await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api&status=pending')).body.jobs[0]);
      expect(job.metadata.compat).toMatchObject({ door: 'a1111', client_name: CLIENT });
      const edited = await api(sq.url, 'PATCH', `/api/v1/queue/jobs/${job.mobilesd_job_id}`, {
        generation_params: { positive_prompt: 'a castle, after the edit', checkpoint_name: 'sdxl/juggernautXL_v9.safetensors', steps: 5 },
      });
      expect(edited.status, JSON.stringify(edited.body)).toBe(200);
      expect(edited.body.edit_history[0].by).toBe('ui');
      await api(sq.url, 'POST', '/api/v1/queue/resume');

      const answer = await call;
      expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
      expect(answer.body.images).toHaveLength(1);
      const info = JSON.parse(answer.body.info);
      expect(info.prompt).toBe('a castle, after the edit');
      expect(info.infotexts[0]).toMatch(/^a castle, after the edit\n/);
      expect(info.infotexts[0]).toContain('Steps: 5');
      const png = readPngText(Buffer.from(answer.body.images[0], 'base64')).parameters;
      expect(png).toBe(info.infotexts[0]);
      const sent = generationRequests(forge[0]).map((r) => r.body as any).find((b) => b.prompt.startsWith('a castle'));
      expect(sent.prompt).toBe('a castle, after the edit');
      expect(sent.override_settings.sd_model_checkpoint).toMatch(/juggernautXL_v9/);
    } finally {
      await api(sq.url, 'POST', '/api/v1/queue/resume');
    }
  });

  it('a facade job triggers the webhooks: job.finished arrives with the job and its images', async () => {
    const hook = await api(sq.url, 'POST', '/api/v1/webhooks', { url: `${receiver.url}/hook`, events: ['job.finished'] });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const answer = await a1111('/sdapi/v1/txt2img', { ...TXT, prompt: 'a webhook lighthouse' });
    expect(answer.status).toBe(200);
    const job = (await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api&status=completed')).body.jobs
      .find((j: any) => j.positive_prompt === 'a webhook lighthouse');
    expect(job).toBeDefined();
    const delivery = await waitFor(() => receiver.received
      .map((r) => JSON.parse(r.body.toString()))
      .find((b) => b.event === 'job.finished' && b.job?.id === job.mobilesd_job_id), { what: 'job.finished webhook for the facade job' });
    expect(delivery.job).toMatchObject({ status: 'completed', prompt: 'a webhook lighthouse' });
    expect(delivery.job.images).toHaveLength(1);
  });
});
