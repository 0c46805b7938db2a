/**
 * Speed-aware routing on two Forge emulators, one three times faster than the other: the
 * dispatcher learns their speeds from finished jobs, the fast one runs most of the jobs,
 * and the whole queue finishes within 15% of the best possible split of the same jobs
 * (computed from the durations each server really showed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeEmulator } from '../../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { createForgeEmulator } from '../../emulators/forge/index.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';

const JOBS = 24;
const STEPS = 10;

/** The shortest time n jobs can take split between two servers taking `fast` and `slow` ms each. */
function bestSplitMs(n: number, fast: number, slow: number): number {
  let best = Infinity;
  for (let onFast = 0; onFast <= n; onFast++) best = Math.min(best, Math.max(onFast * fast, (n - onFast) * slow));
  return best;
}

describe('dispatch: the right GPU for each job', () => {
  let sq: TestEngine;
  const emulators: ForgeEmulator[] = [];

  beforeAll(async () => {
    sq = await startTestEngine();
    // f1 is the slow one, so "first free server" alone would favour it.
    for (const [alias, stepMs] of [['f1', 60], ['f2', 20]] as const) {
      const emu = await createForgeEmulator({ stepMs });
      emulators.push(emu);
      expect((await api(sq.url, 'POST', '/api/v1/servers', { alias, app_type: 'forge', api_url: emu.url })).status).toBe(201);
    }
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  }, 90_000);
  afterAll(async () => {
    await sq?.stop();
    await Promise.all(emulators.map((e) => e.close()));
  });

  it('the 3× faster server runs most jobs and the total is within 15% of the best split', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', {
        target_server_alias: 'auto', generation_params: { positive_prompt: `speed ${i}`, steps: STEPS, width: 64, height: 64 },
      });
      ids.push(res.body.mobilesd_job_id);
    }
    const began = Date.now();
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    const done = await waitForJobs(sq.url, ids, 90_000);
    expect(done.every((j) => j.status === 'completed')).toBe(true);

    const rows = sq.engine.db.prepare(`SELECT assigned_server_alias AS alias, started_timestamp AS started, completion_timestamp AS completed
      FROM jobs WHERE mobilesd_job_id IN (${ids.map(() => '?').join(',')})`).all(...ids) as { alias: string; started: string; completed: string }[];
    const total = Math.max(...rows.map((r) => Date.parse(r.completed))) - began;
    // A job's cost on a server is its cycle there: from one request's arrival to the next's, so
    // the time between jobs (results saved, next job sent) counts as on a real farm.
    const cycleMs = (emu: ForgeEmulator) => {
      const log = emu.generationLog;
      const gaps = log.slice(1).map((g, i) => g.receivedAt - log[i].receivedAt);
      const last = log.at(-1)!;
      return (gaps.reduce((a, b) => a + b, 0) + (last.respondedAt! - last.receivedAt)) / log.length;
    };
    const onFast = rows.filter((r) => r.alias === 'f2').length;
    expect(onFast).toBeGreaterThan(JOBS / 2);
    const [slow, fast] = emulators.map(cycleMs);
    console.log(`cycle: fast ${Math.round(fast)} ms, slow ${Math.round(slow)} ms`);
    const best = bestSplitMs(JOBS, fast, slow);
    console.log(`speed routing: ${onFast}/${JOBS} on the fast server, total ${total} ms, best split ${Math.round(best)} ms (×${(total / best).toFixed(2)})`);
    expect(total).toBeLessThanOrEqual(best * 1.15);

    // Each server's measured speed is shown and matches what the servers really did: the speed
    // ratio is the ratio of their cycles (on a busy machine the engine's own time per job
    // narrows the configured 3×, for the measurement and the cycles alike).
    const stats = (await api(sq.url, 'GET', '/api/v1/queue/dispatch-stats')).body;
    const speed = (alias: string) => stats.servers.find((s: any) => s.alias === alias).megapixel_steps_per_second;
    const measured = speed('f2') / speed('f1');
    console.log(`measured speed ratio ${measured.toFixed(2)}, cycle ratio ${(slow / fast).toFixed(2)}`);
    expect(measured).toBeGreaterThan(1.2);
    expect(measured / (slow / fast)).toBeGreaterThan(0.7);
    expect(measured / (slow / fast)).toBeLessThan(1.43);
  }, 120_000);
});
