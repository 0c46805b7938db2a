import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { makePng } from '../emulators/png.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { generationRequests } from '../helpers/forge-servers.ts';
import { startHeadless } from '../helpers/headless-process.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { collectEvents } from '../helpers/sse.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const job = (target: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ target_server_alias: target, generation_params: { steps: 2, width: 64, height: 64, ...params }, ...extra });

describe('engine API with emulated Forge servers', () => {
  let sq: TestEngine;
  let plain: ForgeEmulator;
  let locked: ForgeEmulator;

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 50 });
    plain = await createForgeEmulator({ stepMs: 5, models: ['v1-5-pruned-emaonly.safetensors'], loadedModel: 'v1-5-pruned-emaonly.safetensors' });
    locked = await createForgeEmulator({
      stepMs: 5, flavor: 'a1111', auth: { username: 'ada', password: 's3cret-pass' },
      models: ['v1-5-pruned-emaonly.safetensors', 'sdxl/juggernautXL_v9.safetensors'], loadedModel: 'sdxl/juggernautXL_v9.safetensors',
    });
    expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'plain', app_type: 'forge', api_url: plain.url })).status).toBe(201);
    const added = await api(sq.url, 'POST', '/api/v1/servers', { alias: 'locked', app_type: 'forge', api_url: locked.url, username: 'ada', password: 's3cret-pass' });
    expect(added.status).toBe(201);
    expect(added.body.has_password).toBe(true);
    expect(JSON.stringify(added.body)).not.toContain('s3cret-pass');
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  });
  afterAll(async () => {
    await sq.stop();
    await plain.close();
    await locked.close();
  });

  it('uses HTTP basic auth with the stored password, and reports a wrong one clearly', async () => {
    const test = await api(sq.url, 'POST', '/api/v1/servers/locked/test');
    expect(test.body).toMatchObject({ ok: true, status: 'online' });
    expect(locked.requests.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('ada:s3cret-pass').toString('base64')}`);
    await api(sq.url, 'PUT', '/api/v1/servers/locked', { password: 'wrong' });
    const bad = await api(sq.url, 'POST', '/api/v1/servers/locked/test');
    expect(bad.body.ok).toBe(false);
    expect(bad.body.message).toMatch(/401/);
    await api(sq.url, 'PUT', '/api/v1/servers/locked', { password: 's3cret-pass' });
    expect((await api(sq.url, 'POST', '/api/v1/servers/locked/test')).body.ok).toBe(true);
  });

  it('lists a server\'s checkpoints, LoRAs, samplers, schedulers and VAEs', async () => {
    const ckpts = await api(sq.url, 'GET', '/api/v1/servers/locked/resources/checkpoints');
    expect(ckpts.body.items.map((i: any) => i.name)).toContain('sdxl/juggernautXL_v9.safetensors');
    for (const kind of ['loras', 'samplers', 'schedulers', 'vaes']) {
      const res = await api(sq.url, 'GET', `/api/v1/servers/plain/resources/${kind}`);
      expect(res.status, kind).toBe(200);
      expect(Array.isArray(res.body.items)).toBe(true);
    }
    expect((await api(sq.url, 'GET', '/api/v1/servers/plain/resources/samplers')).body.items.map((i: any) => i.name)).toContain('Euler a');
    expect((await api(sq.url, 'GET', '/api/v1/servers/plain/resources/nonsense')).status).toBe(400);
  });

  it('routes auto jobs to the server that has the checkpoint, preferring the one that has it loaded', async () => {
    const sdxl = await api(sq.url, 'POST', '/api/v1/generate', job('auto', { positive_prompt: 'sdxl', checkpoint_name: 'juggernautXL_v9' }));
    const sd15 = await api(sq.url, 'POST', '/api/v1/generate', job('auto', { positive_prompt: 'sd15', checkpoint_name: 'v1-5-pruned-emaonly' }));
    const [a, b] = await waitForJobs(sq.url, [sdxl.body.mobilesd_job_id, sd15.body.mobilesd_job_id]);
    expect(a.assigned_server_alias).toBe('locked');
    expect(b.assigned_server_alias).toBe('plain');
    expect([a.status, b.status]).toEqual(['completed', 'completed']);
  });

  it('runs img2img with the init image sent to /sdapi/v1/img2img', async () => {
    const init = (await makePng({ width: 64, height: 64, seed: 7 })).toString('base64');
    const res = await api(sq.url, 'POST', '/api/v1/generate', job('plain', { positive_prompt: 'img2img', init_images: [init], denoising_strength: 0.5 }));
    const [done] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(done.status).toBe('completed');
    const sent = plain.requests.find((r) => r.path === '/sdapi/v1/img2img')!;
    expect((sent.body as any).init_images).toEqual([init]);
    expect((sent.body as any).denoising_strength).toBe(0.5);
  });

  it('streams job.created → job.progress → job.finished over SSE', async () => {
    const sse = collectEvents(sq.url);
    await sse.ready;
    plain.setStepMs(60);
    try {
      const res = await api(sq.url, 'POST', '/api/v1/generate', job('plain', { positive_prompt: 'sse', steps: 12 }));
      const id = res.body.mobilesd_job_id;
      await waitForJobs(sq.url, [id]);
      await waitFor(() => sse.events.some((e) => e.type === 'job.finished' && e.data.job.mobilesd_job_id === id), { what: 'finished event' });
      const mine = sse.events.filter((e) => e.data.job?.mobilesd_job_id === id || e.data.job_id === id).map((e) => e.type);
      expect(mine[0]).toBe('job.created');
      expect(mine).toContain('job.progress');
      expect(mine.at(-1)).toBe('job.finished');
      expect(mine.indexOf('job.progress')).toBeGreaterThan(mine.indexOf('job.created'));
      const finished = sse.events.find((e) => e.type === 'job.finished')!.data.job;
      expect(finished).toMatchObject({ status: 'completed', image_count: 1, progress: 100 });
      expect(sse.events.some((e) => e.type === 'queue.state')).toBe(true);
    } finally {
      plain.setStepMs(5);
      sse.close();
    }
  });

  it('retries, requeues, deletes and clears finished jobs; the gallery keeps their images', async () => {
    const failing = await api(sq.url, 'POST', '/api/v1/generate', job('plain', { positive_prompt: 'x', checkpoint_name: 'missing_model_xyz' }));
    const id = failing.body.mobilesd_job_id;
    const [failed] = await waitForJobs(sq.url, [id]);
    expect(failed.status).toBe('failed');
    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${id}/retry`)).body.status).toMatch(/^(pending|processing)$/);
    const [retried] = await waitForJobs(sq.url, [id]);
    expect(retried.attempts).toBe(1);
    // The first attempt's times and error stay readable after the second run reused the job's columns.
    const entry = retried.edit_history.find((e: any) => e.changes.some((c: any) => c.field === 'status'));
    expect(entry.changes).toEqual(expect.arrayContaining([
      { field: 'status', from: 'failed', to: 'pending' },
      { field: 'completion_timestamp', from: failed.completion_timestamp, to: null },
      { field: 'error_message', from: failed.error_message, to: null },
    ]));
    if (failed.started_timestamp) expect(entry.changes).toContainEqual({ field: 'started_timestamp', from: failed.started_timestamp, to: null });

    const ok = await api(sq.url, 'POST', '/api/v1/generate', job('plain', { positive_prompt: 'requeue me', seed: 99 }));
    const [first] = await waitForJobs(sq.url, [ok.body.mobilesd_job_id]);
    const again = await api(sq.url, 'POST', `/api/v1/queue/jobs/${first.mobilesd_job_id}/requeue`);
    expect(again.body.mobilesd_job_id).not.toBe(first.mobilesd_job_id);
    const [second] = await waitForJobs(sq.url, [again.body.mobilesd_job_id]);
    expect(second.generation_params).toEqual(first.generation_params);
    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${first.mobilesd_job_id}/retry`)).status).toBe(409);

    expect((await api(sq.url, 'DELETE', `/api/v1/queue/jobs/${first.mobilesd_job_id}`)).status).toBe(200);
    const cleared = await api(sq.url, 'POST', '/api/v1/queue/clear');
    expect(cleared.body.cleared).toBeGreaterThan(0);
    const list = await api(sq.url, 'GET', '/api/v1/queue/jobs?status=completed,failed,cancelled');
    expect(list.body.total).toBe(0);
    const gallery = await api(sq.url, 'GET', `/api/v1/gallery/images?job_id=${first.mobilesd_job_id}`);
    expect(gallery.body.images).toHaveLength(1);
    const imageId = gallery.body.images[0].id;
    expect((await api(sq.url, 'DELETE', `/api/v1/images/${imageId}`)).status).toBe(200);
    expect((await api(sq.url, 'GET', `/api/v1/images/${imageId}`)).status).toBe(404);
  });

  it('pages the gallery with a keyset cursor and filters by prompt text', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await api(sq.url, 'POST', '/api/v1/generate', job('plain', { positive_prompt: `gallery page ${i}` }))).body.mobilesd_job_id);
    await waitForJobs(sq.url, ids);
    const first = await api(sq.url, 'GET', '/api/v1/gallery/images?limit=3&q=gallery%20page');
    expect(first.body.images).toHaveLength(3);
    expect(first.body.total).toBe(5);
    const second = await api(sq.url, 'GET', `/api/v1/gallery/images?limit=3&q=gallery%20page&cursor=${first.body.next_cursor}`);
    expect(second.body.images).toHaveLength(2);
    expect(second.body.next_cursor).toBeNull();
    const all = [...first.body.images, ...second.body.images].map((i: any) => i.positive_prompt);
    expect(new Set(all).size).toBe(5);
    expect((await api(sq.url, 'GET', '/api/v1/gallery/images?cursor=garbage')).status).toBe(400);
  });

  it('serves its OpenAPI document', async () => {
    const doc = await api(sq.url, 'GET', '/api/docs/json');
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/generate', '/api/v2/generate', '/api/v1/queue/jobs/{id}/status']));
  });
});

describe('headless start-up', () => {
  it('imports the seed\'s servers.json once, and honours "resume the queue at start"', async () => {
    const tmp = makeTempDir('sq-start-');
    fs.writeFileSync(path.join(tmp.dir, 'servers.json'), JSON.stringify([
      { alias: 'LegacyForge', apiUrl: 'http://127.0.0.1:9/', auth: { username: 'u', password: 'legacy-pass' } },
    ]));
    let sq = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
    try {
      const servers = (await api(sq.url, 'GET', '/api/v1/servers')).body;
      expect(servers).toHaveLength(1);
      expect(servers[0]).toMatchObject({ alias: 'LegacyForge', api_url: 'http://127.0.0.1:9', username: 'u', has_password: true });
      await api(sq.url, 'PUT', '/api/v1/settings', { resume_queue_at_start: false });
      await api(sq.url, 'POST', '/api/v1/generate', job('LegacyForge', { positive_prompt: 'waits' }));
      await sq.terminate();
      sq = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
      expect((await api(sq.url, 'GET', '/api/v1/queue/state')).body.paused).toBe(true);
      expect((await api(sq.url, 'GET', '/api/v1/servers')).body).toHaveLength(1);
    } finally {
      await sq.terminate();
      tmp.cleanup();
    }
  });
});
