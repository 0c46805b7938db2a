/**
 * Honest ETAs and fair share on one Forge emulator with a known step time:
 * - after 20 finished jobs, the start the queue predicts for the 10th waiting job is within
 *   15% of when it really starts, and the list shows every waiting job's start and end and
 *   when all will be done;
 * - with fair share on, a source with one job is not starved by a source with 200.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeEmulator } from '../../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { addForgeServers } from '../../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';

const submit = (base: string, prompt: string, extra: Record<string, unknown> = {}, steps = 10) => api(base, 'POST', '/api/v1/generate', {
  target_server_alias: 'auto', generation_params: { positive_prompt: prompt, steps, width: 64, height: 64 }, ...extra,
});

/**
 * 24 steps of 25 ms: as on a real GPU the generation, not StableQueue's own work per job, is
 * most of a job's time, so a machine busy with other tests moves the real starts little.
 */
const GPU_STEPS = 24;

describe('dispatch: ETAs and fair share', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator;

  beforeAll(async () => {
    sq = await startTestEngine();
    [forge] = await addForgeServers(sq.url, 1, { stepMs: 25 });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'server online' });
  }, 90_000);
  afterAll(async () => {
    await sq?.stop();
    await forge?.close();
  });

  it('after 20 finished jobs, the predicted start of the 10th waiting job is within 15% of its real start', async () => {
    // Learnt as the measured jobs run: queued while paused, then run back to back (jobs that
    // ran while the next ones were being submitted would share the CPU with the submissions).
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const learn: string[] = [];
    for (let i = 0; i < 20; i++) learn.push((await submit(sq.url, `learn ${i}`, {}, GPU_STEPS)).body.mobilesd_job_id);
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitForJobs(sq.url, learn, 90_000);

    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await submit(sq.url, `eta ${i}`, {}, GPU_STEPS)).body.mobilesd_job_id);
    const asked = Date.now();
    const status = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${ids[9]}/status`)).body;
    expect(status.queue_position).toBe(10);
    const predicted = Date.parse(status.estimated_start_time);
    expect(Date.parse(status.estimated_completion_time)).toBeGreaterThan(predicted);

    const list = (await api(sq.url, 'GET', '/api/v1/queue/jobs?status=pending&limit=50')).body;
    const starts = list.jobs.map((j: any) => Date.parse(j.estimated_start_time));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(Date.parse(list.all_done_by)).toBeGreaterThanOrEqual(Date.parse(list.jobs.at(-1).estimated_completion_time));

    // While paused the forecast answers "if resumed now": the wait is counted from the resume.
    const resumed = Date.now();
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitForJobs(sq.url, ids, 90_000);
    const row = sq.engine.db.prepare('SELECT started_timestamp AS started FROM jobs WHERE mobilesd_job_id = ?').get(ids[9]) as { started: string };
    const predictedWait = predicted - asked;
    const actualWait = Date.parse(row.started) - resumed;
    console.log(`ETA: predicted start ${predictedWait} ms after the resume, started after ${actualWait} ms`);
    expect(Math.abs(actualWait - predictedWait)).toBeLessThanOrEqual(0.15 * actualWait);
  }, 150_000);

  it('with fair share on, one job from a second source starts among the first jobs although 200 came before it', async () => {
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { dispatch_fair_share: true })).status).toBe(200);
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const bulk: string[] = [];
    for (let i = 0; i < 200; i++) bulk.push((await submit(sq.url, `script ${i}`, { source_info: 'script' }, 1)).body.mobilesd_job_id);
    const phone = (await submit(sq.url, 'phone', { source_info: 'phone' }, 1)).body.mobilesd_job_id;
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitForJobs(sq.url, [phone], 60_000);
    const startedBefore = sq.engine.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE source_info = 'script' AND started_timestamp IS NOT NULL
      AND started_timestamp < (SELECT started_timestamp FROM jobs WHERE mobilesd_job_id = ?)`).get(phone) as { n: number };
    expect(startedBefore.n).toBeLessThanOrEqual(2);
    await waitForJobs(sq.url, bulk, 120_000);
  }, 180_000);
});
