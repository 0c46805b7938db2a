import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../electron/engine/results/png-text.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers, generationRequests } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

const CKPT = 'v1-5-pruned-emaonly.safetensors';
const submit = (base: string, params: Record<string, unknown>, target = 'auto', extra: Record<string, unknown> = {}) =>
  api(base, 'POST', '/api/v1/generate', { target_server_alias: target, generation_params: { steps: 3, width: 64, height: 64, ...params }, ...extra });

describe('queue engine against emulated Forge servers', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator[];

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 50, attemptDeadlineMs: 2_000 });
    forge = await addForgeServers(sq.url, 2);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forge.map((f) => f.close()));
  });
  afterEach(() => forge.forEach((f) => f.clearFaults()));

  it('runs 50 auto-routed jobs over 2 servers: all complete, images on disk with infotext, none duplicated', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await submit(sq.url, { positive_prompt: `cat ${i}`, checkpoint_name: CKPT });
      expect(res.status).toBe(202);
      ids.push(res.body.mobilesd_job_id);
    }
    const done = await waitForJobs(sq.url, ids);
    expect(done.map((j) => j.status)).toEqual(Array(50).fill('completed'));
    const used = new Set(done.map((j) => j.assigned_server_alias));
    expect(used).toEqual(new Set(['f1', 'f2']));
    expect(generationRequests(forge[0]).length + generationRequests(forge[1]).length).toBe(50);

    const rows = sq.engine.db.prepare('SELECT job_id, idx, file_path, sha256, infotext FROM images').all() as any[];
    const ours = rows.filter((r) => ids.includes(r.job_id));
    expect(ours).toHaveLength(50);
    expect(new Set(ours.map((r) => `${r.job_id}/${r.idx}`)).size).toBe(50);
    for (const row of ours) {
      const bytes = fs.readFileSync(path.join(sq.dataDir, 'outputs', row.file_path));
      const text = readPngText(bytes).parameters;
      expect(text).toMatch(/^cat \d+\n/);
      expect(text).toContain('Steps: 3');
      expect(row.infotext).toBe(text);
    }
    // The checkpoint went to Forge as its exact title, in override_settings.
    const body = generationRequests(forge[0])[0].body as any;
    expect(body.override_settings.sd_model_checkpoint).toMatch(/^v1-5-pruned-emaonly\.safetensors( \[[0-9a-f]{10}\])?$/);
  });

  it('serves the job status shape external clients read, with download URLs of the original bytes', async () => {
    const res = await submit(sq.url, { positive_prompt: 'status shape', seed: 1234 }, 'f1');
    const [status] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(status).toMatchObject({ status: 'completed', progress: 100, app_type: 'forge', target_server_alias: 'f1' });
    expect(status.generation_params.positive_prompt).toBe('status shape');
    expect(status.images).toHaveLength(1);
    expect(status.images[0].seed).toBe(1234);
    const download = await fetch(`${sq.url}${status.images[0].download_url}`);
    expect(download.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await download.arrayBuffer());
    const row = sq.engine.db.prepare('SELECT file_path FROM images WHERE id = ?').get(status.images[0].id) as any;
    expect(bytes.equals(fs.readFileSync(path.join(sq.dataDir, 'outputs', row.file_path)))).toBe(true);
    const thumb = await fetch(`${sq.url}${status.images[0].thumbnail_url}`);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
  });

  it.each([
    ['500 of an unknown error class', { kind: '500', error: 'RuntimeError', message: 'Expected all tensors to be on the same device' }],
    ['connection reset', { kind: 'reset' }],
    ['malformed JSON', { kind: 'malformed_json' }],
    ['wrong shape', { kind: 'wrong_shape' }],
    ['bad base64', { kind: 'bad_base64' }],
    ['503 with Retry-After', { kind: '503' }],
  ] as const)('retries after a transient fault (%s) and completes', async (_name, fault) => {
    forge[0].setFault(fault as any);
    const res = await submit(sq.url, { positive_prompt: `fault ${fault.kind}` }, 'f1');
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job.status).toBe('completed');
    expect(job.attempts).toBe(2);
  });

  it('gives up with a clear message when a fault repeats past the last attempt', async () => {
    forge[0].setFault({ kind: '500', count: 10, error: 'RuntimeError', message: 'device-side assert triggered' });
    const res = await submit(sq.url, { positive_prompt: 'always 500' }, 'f1');
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(3);
    expect(job.error_message).toMatch(/HTTP 500.*device-side assert triggered.*gave up after 3 attempts/);
  });

  it('aborts a hung request at the per-attempt deadline and retries, without interrupting a task that is not ours', async () => {
    forge[1].setFault({ kind: 'hang' });
    const res = await submit(sq.url, { positive_prompt: 'hang once' }, 'f2');
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job.status).toBe('completed');
    expect(job.attempts).toBe(2);
    // The hung request never became the server's active task: asked, and left alone.
    expect(forge[1].requests.some((r) => r.path === '/internal/progress')).toBe(true);
    expect(forge[1].requests.some((r) => r.path === '/sdapi/v1/interrupt')).toBe(false);
  });

  it('fails at once, without retry, on permanent errors (unknown checkpoint, 422)', async () => {
    const unknown = await submit(sq.url, { positive_prompt: 'x', checkpoint_name: 'totally_missing_model.safetensors' }, 'f1');
    // f1's script list is known from its health check, so this one is refused at submit.
    const bad = await submit(sq.url, { positive_prompt: 'x', alwayson_scripts: { NoSuchExtension: { args: [] } } }, 'f1');
    const [a] = await waitForJobs(sq.url, [unknown.body.mobilesd_job_id]);
    expect(a).toMatchObject({ status: 'failed', attempts: 1 });
    expect(a.error_message).toMatch(/Checkpoint "totally_missing_model.safetensors" is not on server f1\. Closest:/);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'missing_extension', details: { server: 'f1', missing_extensions: ['NoSuchExtension'] } });
    expect(generationRequests(forge[0]).some((r) => (r.body as any).alwayson_scripts?.NoSuchExtension)).toBe(false);
  });

  it('lets jobs wait while their server is offline and runs them when it is back', async () => {
    await forge[1].setOnline(false);
    const res = await submit(sq.url, { positive_prompt: 'waits for f2' }, 'f2');
    const id = res.body.mobilesd_job_id;
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers/f2')).body.status === 'offline', { what: 'f2 offline' });
    await new Promise((r) => setTimeout(r, 300));
    const waiting = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
    expect(waiting.status).toBe('pending');
    expect(waiting.attempts).toBe(0);
    await forge[1].setOnline(true);
    const [job] = await waitForJobs(sq.url, [id], 30_000);
    expect(job.status).toBe('completed');
  });

  it('cancels a running job by interrupting the emulator, and a pending one at once', async () => {
    forge[0].setStepMs(200);
    try {
      const running = await submit(sq.url, { positive_prompt: 'long', steps: 50 }, 'f1');
      const pending = await submit(sq.url, { positive_prompt: 'never runs' }, 'f1');
      const runningId = running.body.mobilesd_job_id;
      await waitFor(async () => (await api(sq.url, 'GET', `/api/v1/queue/jobs/${runningId}/status`)).body.progress > 0, { what: 'progress' });
      const cancelPending = await api(sq.url, 'POST', `/api/v1/queue/jobs/${pending.body.mobilesd_job_id}/cancel`);
      expect(cancelPending.body.status).toBe('cancelled');
      const cancelRunning = await api(sq.url, 'POST', `/api/v1/queue/jobs/${runningId}/cancel`);
      expect(cancelRunning.status).toBe(200);
      const [job] = await waitForJobs(sq.url, [runningId]);
      expect(job.status).toBe('cancelled');
      expect(forge[0].requests.some((r) => r.path === '/sdapi/v1/interrupt')).toBe(true);
      expect(generationRequests(forge[0]).some((r) => (r.body as any).prompt === 'never runs')).toBe(false);
    } finally {
      forge[0].setStepMs(5);
    }
  });

  it('dispatches in the order set by reorder, priority and pause', async () => {
    expect((await api(sq.url, 'POST', '/api/v1/queue/pause')).body.paused).toBe(true);
    const ids: Record<string, string> = {};
    for (const name of ['a', 'b', 'c', 'd']) ids[name] = (await submit(sq.url, { positive_prompt: `order ${name}` }, 'f2')).body.mobilesd_job_id;
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${ids.d}/reorder`, { to: 'top' });
    await api(sq.url, 'PUT', `/api/v1/queue/jobs/${ids.c}/priority`, { priority: 9 });
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${ids.a}/reorder`, { after: ids.b });
    await new Promise((r) => setTimeout(r, 200));
    const before = generationRequests(forge[1]).length;
    expect((await api(sq.url, 'GET', `/api/v1/queue/jobs/${ids.a}/status`)).body.status).toBe('pending');
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitForJobs(sq.url, Object.values(ids));
    const order = generationRequests(forge[1]).slice(before).map((r) => (r.body as any).prompt);
    expect(order).toEqual(['order c', 'order d', 'order b', 'order a']);
  });

  it('answers bad input with a clear 4xx and keeps serving', async () => {
    const raw = (body: string, type = 'application/json') => fetch(`${sq.url}/api/v1/generate`, { method: 'POST', headers: { 'content-type': type }, body });
    const cases: [Promise<Response | { status: number; body: any }>, number, string][] = [
      [raw('{"generation_params": '), 400, 'invalid_json'],
      [submit(sq.url, { steps: 'twenty' }), 400, 'validation_error'],
      [submit(sq.url, { width: -512 }), 400, 'validation_error'],
      [submit(sq.url, { positive_prompt: 'x'.repeat(1_100_000) }), 400, 'validation_error'],
      [raw(JSON.stringify({ generation_params: { positive_prompt: 'x'.repeat(9_000_000) } })), 413, 'body_too_large'],
      [submit(sq.url, { positive_prompt: 'x' }, 'no-such-server'), 404, 'unknown_server'],
      [api(sq.url, 'GET', '/api/v1/queue/jobs/0b7c2d6e-1f0a-4c1e-9a55-7d2f1c9e8b10/status'), 404, 'job_not_found'],
      [api(sq.url, 'GET', '/api/v1/queue/jobs/not-a-uuid/status'), 400, 'validation_error'],
      [raw('prompt=cat', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type'],
      [api(sq.url, 'POST', '/api/v1/queue/jobs/0b7c2d6e-1f0a-4c1e-9a55-7d2f1c9e8b10/reorder', { to: 'sideways' }), 400, 'validation_error'],
      [api(sq.url, 'GET', '/api/v1/nope'), 404, 'not_found'],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      const body = res instanceof Response ? await res.json() : res.body;
      expect({ status: res.status, code: body.error }).toEqual({ status, code });
      expect(typeof body.message).toBe('string');
    }
    expect((await api(sq.url, 'GET', '/api/v1/health')).status).toBe(200);
    const ok = await submit(sq.url, { positive_prompt: 'still works' }, 'f1');
    expect(ok.status).toBe(202);
    expect((await waitForJobs(sq.url, [ok.body.mobilesd_job_id]))[0].status).toBe('completed');
  });
});
