import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import { compareJobs, useJobs } from '../../../renderer/src/stores/jobs.ts';
import type { JobSummary } from '../../../shared/jobs.ts';
import { createFakeFetch, json, type Handler } from './fake-fetch.ts';

let seq = 0;
function job(id: string, over: Partial<JobSummary> = {}): JobSummary {
  seq++;
  return {
    mobilesd_job_id: id,
    app_type: 'forge',
    status: 'pending',
    priority: 5,
    position: seq,
    target_server_alias: 'auto',
    assigned_server_alias: null,
    creation_timestamp: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    last_updated_timestamp: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    started_timestamp: null,
    completion_timestamp: null,
    attempts: 0,
    max_attempts: 3,
    error_message: null,
    source_info: null,
    positive_prompt: `prompt ${id}`,
    checkpoint_name: null,
    image_count: 0,
    first_image_id: null,
    progress: 0,
    eta_seconds: null,
    ...over,
  };
}

function setup(routes: Record<string, Handler> = {}) {
  const f = createFakeFetch(routes);
  setApiClient(new ApiClient({ fetch: f.fetch }));
  setActivePinia(createPinia());
  return { f, jobs: useJobs() };
}

const ids = (list: JobSummary[]) => list.map((j) => j.mobilesd_job_id);

describe('jobs store', () => {
  beforeEach(() => {
    seq = 0;
  });

  it('keeps a job.finished that lands while the status fetch after submit is in flight', async () => {
    let answer!: (r: Response) => void;
    const { jobs } = setup({ 'GET /api/v1/queue/jobs/j1': () => new Promise<Response>((resolve) => { answer = resolve; }) });
    const tracking = jobs.track('j1');
    // The job ran in a few milliseconds: its finished event arrives before the fetch's answer,
    // and the answer was taken while it still ran.
    const finished = job('j1', { status: 'completed', progress: 100, image_count: 1, first_image_id: 9,
      last_updated_timestamp: '2026-01-01T00:00:10.000Z', completion_timestamp: '2026-01-01T00:00:10.000Z' });
    jobs.applyEvent({ type: 'job.finished', job: finished });
    await new Promise((r) => setTimeout(r, 0));
    answer(json(200, job('j1', {
      app_type: 'comfyui', status: 'processing', progress: 40, assigned_server_alias: 'c1',
      creation_timestamp: '2026-01-01T00:00:09.000Z', last_updated_timestamp: '2026-01-01T00:00:09.500Z', attempts: 1,
    })));
    await tracking;
    expect(jobs.byId.j1).toMatchObject({ status: 'completed', progress: 100, first_image_id: 9 });
  });

  it('applies SSE events in order: created → progress → finished', () => {
    const { jobs } = setup();
    const created = job('a');
    jobs.applyEvent({ type: 'job.created', job: created });
    expect(ids(jobs.visible)).toEqual(['a']);

    jobs.applyEvent({ type: 'job.progress', job_id: 'a', progress: 40, eta_seconds: 12, step: 8, steps: 20, has_preview: true });
    expect(jobs.byId.a).toMatchObject({ status: 'processing', progress: 40, eta_seconds: 12 });
    expect(jobs.live.a).toMatchObject({ step: 8, steps: 20, has_preview: true, tick: 1 });
    jobs.applyEvent({ type: 'job.progress', job_id: 'a', progress: 80, eta_seconds: 3, step: 16, steps: 20, has_preview: true, status_text: 'Queued on server' });
    expect(jobs.live.a!.tick).toBe(2);
    expect(jobs.byId.a!.status_text).toBe('Queued on server');

    const finished = { ...created, status: 'completed' as const, progress: 100, image_count: 2, first_image_id: 7, last_updated_timestamp: '2026-01-01T00:01:00.000Z', completion_timestamp: '2026-01-01T00:01:00.000Z' };
    jobs.applyEvent({ type: 'job.finished', job: finished });
    expect(jobs.byId.a).toMatchObject({ status: 'completed', progress: 100, first_image_id: 7 });
    expect(jobs.live.a!.has_preview).toBe(false);
    // The default filter shows active jobs only.
    expect(ids(jobs.visible)).toEqual([]);
    jobs.statusFilter = 'all';
    expect(ids(jobs.visible)).toEqual(['a']);
  });

  it('ignores a stale job.updated that crosses a newer event, and removes deleted jobs', () => {
    const { jobs } = setup();
    jobs.applyEvent({ type: 'job.created', job: job('a', { last_updated_timestamp: '2026-01-01T00:00:10.000Z', status: 'processing', started_timestamp: '2026-01-01T00:00:10.000Z' }) });
    jobs.applyEvent({ type: 'job.updated', job: job('a', { last_updated_timestamp: '2026-01-01T00:00:05.000Z', status: 'pending' }) });
    expect(jobs.byId.a!.status).toBe('processing');
    jobs.applyEvent({ type: 'job.deleted', job_id: 'a' });
    expect(jobs.byId.a).toBeUndefined();
  });

  it('tracks queue.state', () => {
    const { jobs } = setup();
    jobs.applyEvent({ type: 'queue.state', paused: true, counts: { pending: 3, processing: 1, completed: 9 } });
    expect(jobs.paused).toBe(true);
    expect(jobs.activeCount).toBe(4);
  });

  it('orders running, then pending by priority and position, then finished newest first', () => {
    const list = [
      job('done-old', { status: 'completed', completion_timestamp: '2026-01-01T00:00:01.000Z' }),
      job('p-low', { priority: 2 }),
      job('run', { status: 'processing', started_timestamp: '2026-01-01T00:00:00.000Z' }),
      job('p-high', { priority: 9 }),
      job('p-mid-2', { priority: 5, position: 20 }),
      job('p-mid-1', { priority: 5, position: 10 }),
      job('done-new', { status: 'failed', completion_timestamp: '2026-01-02T00:00:00.000Z' }),
    ];
    expect(ids([...list].sort(compareJobs))).toEqual(['run', 'p-high', 'p-mid-1', 'p-mid-2', 'p-low', 'done-new', 'done-old']);
  });

  it('fetches with the status and app filters and drops jobs that are gone', async () => {
    const { f, jobs } = setup({
      'GET /api/v1/queue/jobs': () => ({ json: { jobs: [job('b')], total: 1, limit: 100, offset: 0, paused: false, counts: { pending: 1 } } }),
    });
    jobs.applyEvent({ type: 'job.created', job: job('gone') });
    await jobs.setFilters('active', 'forge');
    expect(f.calls[0]!.url).toBe('/api/v1/queue/jobs?status=pending%2Cheld%2Cdownloading_resources%2Cprocessing&app_type=forge&limit=100&offset=0');
    expect(ids(jobs.visible)).toEqual(['b']);
    expect(jobs.counts).toEqual({ pending: 1 });
  });

  it('reorder: move to top is optimistic and sends the reorder request', async () => {
    const { f, jobs } = setup({ 'POST /api/v1/queue/jobs/c/reorder': () => ({ json: {} }) });
    for (const id of ['a', 'b', 'c']) jobs.applyEvent({ type: 'job.created', job: job(id) });
    expect(ids(jobs.pending)).toEqual(['a', 'b', 'c']);
    const done = jobs.move('c', { to: 'top' });
    expect(ids(jobs.pending)).toEqual(['c', 'a', 'b']);
    await done;
    expect(f.calls.map((c) => [c.method, c.url, c.body])).toEqual([['POST', '/api/v1/queue/jobs/c/reorder', { to: 'top' }]]);
  });

  it('reorder: dropping between two jobs sends after/before and keeps the order', async () => {
    const { f, jobs } = setup({ 'POST /api/v1/queue/jobs/a/reorder': () => ({ json: {} }) });
    for (const id of ['a', 'b', 'c']) jobs.applyEvent({ type: 'job.created', job: job(id) });
    await jobs.move('a', { after: 'b' });
    expect(ids(jobs.pending)).toEqual(['b', 'a', 'c']);
    expect(f.calls[0]!.body).toEqual({ after: 'b' });
  });

  it('reorder across priorities takes the neighbour priority first, so the engine really runs it there', async () => {
    const { f, jobs } = setup({
      'PUT /api/v1/queue/jobs/low/priority': () => ({ json: {} }),
      'POST /api/v1/queue/jobs/low/reorder': () => ({ json: {} }),
    });
    jobs.applyEvent({ type: 'job.created', job: job('high', { priority: 8 }) });
    jobs.applyEvent({ type: 'job.created', job: job('low', { priority: 3 }) });
    await jobs.move('low', { to: 'top' });
    expect(ids(jobs.pending)).toEqual(['low', 'high']);
    expect(f.calls.map((c) => [c.method, c.url.split('/').slice(-1)[0], c.body])).toEqual([
      ['PUT', 'priority', { priority: 8 }],
      ['POST', 'reorder', { to: 'top' }],
    ]);
  });

  it('reorder rolls back when the engine refuses', async () => {
    const { jobs } = setup({ 'POST /api/v1/queue/jobs/b/reorder': () => json(409, { error: 'not_pending', message: 'The job already started.' }) });
    for (const id of ['a', 'b']) jobs.applyEvent({ type: 'job.created', job: job(id) });
    await expect(jobs.move('b', { to: 'top' })).rejects.toMatchObject({ code: 'not_pending' });
    expect(ids(jobs.pending)).toEqual(['a', 'b']);
  });

  it('pause, delete and clear finished call the API and update the store', async () => {
    const { f, jobs } = setup({
      'POST /api/v1/queue/pause': () => ({ json: { paused: true, counts: { pending: 1 } } }),
      'DELETE /api/v1/queue/jobs/a': () => ({ json: { deleted: 'a' } }),
      'POST /api/v1/queue/clear': () => ({ json: { cleared: 1 } }),
    });
    jobs.applyEvent({ type: 'job.created', job: job('a') });
    jobs.applyEvent({ type: 'job.created', job: job('done', { status: 'completed', completion_timestamp: '2026-01-01T00:00:00.000Z' }) });
    await jobs.setPaused(true);
    expect(jobs.paused).toBe(true);
    await jobs.deleteJob('a');
    expect(jobs.byId.a).toBeUndefined();
    expect(await jobs.clearFinished()).toBe(1);
    expect(jobs.byId.done).toBeUndefined();
    expect(f.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/v1/queue/pause', 'DELETE /api/v1/queue/jobs/a', 'POST /api/v1/queue/clear']);
  });

  it('a job created beyond a full window is counted, not added; one that sorts inside it is added', async () => {
    const page = Array.from({ length: 3 }, (_, i) => job(`p${i}`));
    const { jobs } = setup({
      'GET /api/v1/queue/jobs': () => ({ json: { jobs: page, total: 3, limit: 3, offset: 0, paused: true, counts: { pending: 3 } } }),
    });
    jobs.pageSize = 3;
    await jobs.fetchJobs();
    for (let i = 0; i < 500; i++) jobs.applyEvent({ type: 'job.created', job: job(`new${i}`) });
    expect(ids(jobs.visible)).toEqual(['p0', 'p1', 'p2']);
    expect(jobs.total).toBe(503);
    // higher priority: it sorts before the window's last row, so it is shown at once
    jobs.applyEvent({ type: 'job.created', job: job('urgent', { priority: 9 }) });
    expect(ids(jobs.visible)[0]).toBe('urgent');
    expect(jobs.total).toBe(504);
    jobs.applyEvent({ type: 'job.deleted', job_id: 'p1' });
    expect(jobs.total).toBe(503);
  });

  it('a window not yet full takes new jobs until it is', async () => {
    const { jobs } = setup({
      'GET /api/v1/queue/jobs': () => ({ json: { jobs: [job('a')], total: 1, limit: 3, offset: 0, paused: true, counts: { pending: 1 } } }),
    });
    jobs.pageSize = 3;
    await jobs.fetchJobs();
    for (const id of ['b', 'c', 'd', 'e']) jobs.applyEvent({ type: 'job.created', job: job(id) });
    expect(ids(jobs.visible)).toEqual(['a', 'b', 'c']);
    expect(jobs.total).toBe(5);
  });
});
