import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { createForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { generationRequests } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

/**
 * Per-server rules, GPU memory, poison jobs, pause/drain and schedules, on two Forge
 * emulators: "small" (8 GB; a job above 64×64 runs out of its memory) and "big" (24 GB).
 * The engine's clock is a fake one the allowed-hours and stop-time tests move.
 */
const GB = 1024 ** 3;
const CKPTS = ['sd15/dreamshaper.safetensors', 'flux/flux1-dev.safetensors'];

describe('dispatch rules: tags, checkpoint patterns, GPU memory, quarantine, pause, schedules', () => {
  let sq: TestEngine;
  let small: ForgeEmulator;
  let big: ForgeEmulator;
  const clock = new FakeClock(Date.parse('2026-03-02T12:00:00Z'));

  const submit = (params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'auto', generation_params: { steps: 2, width: 64, height: 64, ...params }, ...extra });
  const server = async (alias: string) => (await api(sq.url, 'GET', `/api/v1/servers/${alias}`)).body;
  const job = async (id: string) => (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}`)).body;
  /** Edits a server and, when that worked, waits for its fresh connection's first health check. */
  const edit = async (alias: string, body: Record<string, unknown>) => {
    const res = await api(sq.url, 'PUT', `/api/v1/servers/${alias}`, body);
    if (res.status === 200 && res.body.enabled) await waitFor(async () => { const s = await server(alias); return s.status === 'online' && s.vram; }, { what: `${alias} checked` });
    return res;
  };
  const unloads = (emu: ForgeEmulator) => emu.requests.filter((r) => r.method === 'POST' && r.path === '/sdapi/v1/unload-checkpoint').length;

  beforeAll(async () => {
    sq = await startTestEngine({ clock, retryBaseDelayMs: 50, attemptDeadlineMs: 10_000 });
    small = await createForgeEmulator({ stepMs: 5, models: CKPTS, vramBytes: 8 * GB, oomAbovePixels: 64 * 64 });
    big = await createForgeEmulator({ stepMs: 5, models: CKPTS, vramBytes: 24 * GB });
    for (const [alias, emu, tags] of [['small', small, ['sd15']], ['big', big, ['sd15', 'flux', '24gb']]] as const) {
      const res = await api(sq.url, 'POST', '/api/v1/servers', { alias, app_type: 'forge', api_url: emu.url, tags, time_zone: 'UTC' });
      expect(res.status).toBe(201);
    }
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online' && s.vram), { what: 'servers online with VRAM' });
  }, 90_000);
  afterAll(async () => {
    await sq?.stop();
    await Promise.all([small?.close(), big?.close()]);
  });

  it('shows each server its tags and the GPU memory read with the health checks', async () => {
    const view = await server('small');
    expect(view.tags).toEqual(['sd15']);
    expect(view.vram.total).toBe(8 * GB);
    expect(view.vram.free).toBeGreaterThan(0);
    expect((await server('big')).vram.total).toBe(24 * GB);
  });

  it('refuses at once a job requiring a tag no server has, naming the tag; a tag only one server has sends it there', async () => {
    const res = await submit({ positive_prompt: 'video' }, { requires_tags: ['video'] });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('no_server_can_run');
    expect(res.body.message).toContain('"video"');
    expect(res.body.message).toMatch(/small lacks the tag "video".*big lacks the tag "video"/);
    expect((await submit({ positive_prompt: 'x' }, { requires_tags: ['Bad Tag'] })).status).toBe(400);

    const flux = await submit({ positive_prompt: 'needs flux' }, { requires_tags: ['flux'] });
    expect(flux.status).toBe(202);
    const [done] = await waitForJobs(sq.url, [flux.body.mobilesd_job_id]);
    expect(done.status).toBe('completed');
    expect(done.assigned_server_alias).toBe('big');
  });

  it('runs a checkpoint blocked on one server on the other, and refuses one every server blocks', async () => {
    expect((await edit('big', { blocked_checkpoints: ['flux*'] })).status).toBe(200);
    expect((await edit('small', { allowed_checkpoints: ['*dreamshaper*'] })).status).toBe(200);
    const refused = await submit({ positive_prompt: 'flux everywhere', checkpoint_name: CKPTS[1] });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('big blocks checkpoint "flux/flux1-dev.safetensors" (pattern "flux*")');
    expect(refused.body.message).toContain('small allows only checkpoints matching "*dreamshaper*"');

    await edit('small', { allowed_checkpoints: [], blocked_checkpoints: ['sd15/*'] });
    const before = generationRequests(small).length;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await submit({ positive_prompt: `blocked on small ${i}`, checkpoint_name: CKPTS[0] })).body.mobilesd_job_id);
    const done = await waitForJobs(sq.url, ids);
    expect(done.map((j) => j.assigned_server_alias)).toEqual(['big', 'big', 'big']);
    expect(generationRequests(small).length).toBe(before);
    await edit('small', { blocked_checkpoints: [] });
    await edit('big', { blocked_checkpoints: [] });
  });

  it('retries a job that ran out of memory on the small GPU on the big one, never again on the small one', async () => {
    await api(sq.url, 'POST', '/api/v1/servers/big/pause', {});
    const before = generationRequests(small).length;
    const res = await submit({ positive_prompt: 'too big for 8 GB', width: 128, height: 128 });
    // It tries the free small server, runs out of memory there and waits for the paused big one.
    const waiting = await waitFor(async () => {
      const j = await job(res.body.mobilesd_job_id);
      return j.status === 'pending' && j.attempts === 1 ? j : null;
    }, { what: 'job back in line after the OOM' });
    expect(generationRequests(small).length).toBe(before + 1);
    expect(waiting.error_message).toMatch(/Retrying on a server with more GPU memory after: .*out of GPU memory/);
    expect(waiting.wait_reason).toContain('big is paused');
    await new Promise((r) => setTimeout(r, 300));
    expect(generationRequests(small).length).toBe(before + 1);

    await api(sq.url, 'POST', '/api/v1/servers/big/resume');
    const [done] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(done.status).toBe('completed');
    expect(done.assigned_server_alias).toBe('big');
    expect(generationRequests(small).length).toBe(before + 1);
  });

  it('fails an out-of-memory job after one attempt with the memory message when no bigger server can take it', async () => {
    await edit('big', { enabled: false });
    const before = generationRequests(small).length;
    const res = await submit({ positive_prompt: 'too big, alone', width: 128, height: 128, batch_size: 2 });
    const [done] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(done.status).toBe('failed');
    expect(done.attempts).toBe(1);
    expect(done.error_message).toMatch(/ran out of GPU memory .*CUDA out of memory.*Try a smaller size or batch/);
    expect(done.error_message).toContain('No enabled server with more GPU memory can take it');
    expect(generationRequests(small).length).toBe(before + 1);
    await edit('big', { enabled: true });
    await waitFor(async () => (await server('big')).status === 'online', { what: 'big back online' });
  });

  it('pauses one server (the other goes on) and unloads its model when asked', async () => {
    const paused = await api(sq.url, 'POST', '/api/v1/servers/small/pause', { unload: true });
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    expect(paused.body.idle_reason).toBe('small is paused');
    await waitFor(() => unloads(small) === 1, { what: 'unload-checkpoint on small' });
    const before = generationRequests(small).length;
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await submit({ positive_prompt: `while small is paused ${i}` })).body.mobilesd_job_id);
    const done = await waitForJobs(sq.url, ids);
    expect(done.every((j) => j.status === 'completed' && j.assigned_server_alias === 'big')).toBe(true);
    expect(generationRequests(small).length).toBe(before);
    expect((await api(sq.url, 'POST', '/api/v1/servers/nope/pause', {})).status).toBe(404);
    expect((await api(sq.url, 'POST', '/api/v1/servers/small/pause', { unload: 'yes' })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/servers/small/resume')).body.paused).toBe(false);
  });

  it('quarantines a job that knocks its server offline twice; the server then runs the next job', async () => {
    let crashes = 0;
    const crash = () => {
      crashes++;
      // Like a backend process dying mid-job: it comes back a moment later.
      void small.setOnline(false).then(() => new Promise((r) => setTimeout(r, 300))).then(() => small.setOnline(true));
    };
    small.events.on('generation-start', crash);
    const poison = await submit({ positive_prompt: 'poison' }, { target_server_alias: 'small' });
    const held = await waitFor(async () => {
      const j = await job(poison.body.mobilesd_job_id);
      return j.status === 'held' ? j : null;
    }, { timeoutMs: 30_000, what: 'poison job quarantined' });
    small.events.off('generation-start', crash);
    expect(crashes).toBe(2);
    expect(held.error_message).toMatch(/^Quarantined: small crashed or went offline during this job 2 times/);
    const row = sq.engine.db.prepare('SELECT crash_count FROM jobs WHERE mobilesd_job_id = ?').get(poison.body.mobilesd_job_id) as { crash_count: number };
    expect(row.crash_count).toBe(2);

    const next = await submit({ positive_prompt: 'after the poison' }, { target_server_alias: 'small' });
    const [done] = await waitForJobs(sq.url, [next.body.mobilesd_job_id], 30_000);
    expect(done.status).toBe('completed');
    expect((await job(poison.body.mobilesd_job_id)).status).toBe('held');
  });

  it('keeps a server out of its allowed hours and says until when the job waits', async () => {
    await edit('small', { allowed_hours: '23:00-07:00' });
    await api(sq.url, 'POST', '/api/v1/servers/big/pause', {});
    expect((await server('small')).idle_reason).toBe('waits until 23:00 (small runs jobs 23:00–07:00)');
    const res = await submit({ positive_prompt: 'night job' });
    await new Promise((r) => setTimeout(r, 300));
    const waiting = await job(res.body.mobilesd_job_id);
    expect(waiting.status).toBe('pending');
    expect(waiting.wait_reason).toContain('waits until 23:00 (small runs jobs 23:00–07:00)');
    expect(waiting.wait_reason).toContain('big is paused');

    clock.advance(11 * 3600_000 + 30_000); // 23:00:30 UTC
    sq.engine.setPaused(false); // any queue change wakes the dispatcher
    const [done] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(done.assigned_server_alias).toBe('small');
    await edit('small', { allowed_hours: null });
    await api(sq.url, 'POST', '/api/v1/servers/big/resume');
    expect((await edit('small', { time_zone: 'Mars/Olympus' })).status).toBe(400);
    expect((await edit('small', { allowed_hours: '25:00-07:00' })).status).toBe(400);
  });

  it('pauses the queue at its stop time, and unloads the servers that ask for it when the queue drains', async () => {
    await edit('big', { drain_action: 'unload' });
    const unloadsBefore = unloads(big);
    await api(sq.url, 'POST', '/api/v1/servers/small/pause', {});
    const res = await submit({ positive_prompt: 'last job before the drain' });
    await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    await waitFor(() => unloads(big) === unloadsBefore + 1, { what: 'drain action unloads big' });
    expect(unloads(small)).toBe(1); // only the pause-with-unload earlier
    await api(sq.url, 'POST', '/api/v1/servers/small/resume');

    // 23:00:30 now: stop starting new jobs at 23:30.
    await api(sq.url, 'PUT', '/api/v1/settings', { queue_stop_at: '23:30' });
    clock.advance(31 * 60_000);
    const late = await submit({ positive_prompt: 'after the stop time' });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/queue/jobs?limit=1')).body.paused === true, { what: 'queue paused by its stop time' });
    expect((await job(late.body.mobilesd_job_id)).status).toBe('pending');
    await api(sq.url, 'PUT', '/api/v1/settings', { queue_stop_at: null });
    sq.engine.setPaused(false);
    const [done] = await waitForJobs(sq.url, [late.body.mobilesd_job_id]);
    expect(done.status).toBe('completed');
  });
});
