import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine } from '../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { round, type BenchResult } from './stats.ts';

/**
 * Smart dispatch on a small farm, time scaled down 10×: 200 jobs over 5 checkpoints in a
 * shuffled order, two emulated Forge servers (30 ms and 15 ms per step, 10 steps) whose
 * checkpoint loads cost 300 ms (a 3 s load on real hardware). The same jobs run once in
 * queue order (grouping off) and once with StableQueue's grouping; model loads are counted
 * from the emulators' own logs. The lower bound: the jobs' pure run time split ideally over
 * both servers' measured speeds, plus the loads that cannot be avoided (each checkpoint not
 * loaded at the start, once, shared by the two servers).
 */
const JOBS = 200;
const STEPS = 10;
const LOAD_MS = 300;
const MODELS = ['m1.safetensors', 'm2.safetensors', 'm3.safetensors', 'm4.safetensors', 'm5.safetensors'];
const SERVERS = [{ alias: 'slow', stepMs: 30 }, { alias: 'fast', stepMs: 15 }];

/** The same shuffled checkpoint order for both runs. */
function jobModels(): string[] {
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: JOBS }, () => MODELS[Math.floor(random() * MODELS.length)]);
}

/** The model a generation ran with, without the title's `[hash]`. */
const modelOf = (g: { model?: string }) => (g.model ?? '').replace(/ \[[0-9a-f]+\]$/, '');

function modelLoads(emu: ForgeEmulator, initial: string): number {
  let loads = 0;
  let previous = initial;
  for (const g of [...emu.generationLog].sort((a, b) => a.receivedAt - b.receivedAt)) {
    if (modelOf(g) !== previous) loads++;
    previous = modelOf(g);
  }
  return loads;
}

/** Mean time from one request to the next on a server, over consecutive jobs with the same model (no load). */
function cycleMs(emu: ForgeEmulator): number {
  const log = [...emu.generationLog].sort((a, b) => a.receivedAt - b.receivedAt);
  const gaps = log.slice(1).map((g, i) => (modelOf(g) === modelOf(log[i]) ? g.receivedAt - log[i].receivedAt : NaN)).filter((n) => !Number.isNaN(n));
  return gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length);
}

async function run(grouping: boolean) {
  const sq = await startTestEngine();
  const emulators: ForgeEmulator[] = [];
  try {
    for (const server of SERVERS) {
      const emu = await createForgeEmulator({ stepMs: server.stepMs, modelLoadMs: LOAD_MS, models: MODELS });
      emulators.push(emu);
      await api(sq.url, 'POST', '/api/v1/servers', { alias: server.alias, app_type: 'forge', api_url: emu.url });
    }
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
    await api(sq.url, 'PUT', '/api/v1/settings', { dispatch_grouping: grouping });
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const ids: string[] = [];
    for (const [i, model] of jobModels().entries()) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', {
        target_server_alias: 'auto', generation_params: { positive_prompt: `bench ${i}`, checkpoint_name: model, steps: STEPS, width: 64, height: 64 },
      });
      ids.push(res.body.mobilesd_job_id);
    }
    const began = Date.now();
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitForJobs(sq.url, ids, 600_000);
    const ended = Math.max(...emulators.flatMap((e) => e.generationLog.map((g) => g.respondedAt ?? 0)));
    // Each emulator starts with the first model loaded.
    const loads = emulators.reduce((sum, emu) => sum + modelLoads(emu, MODELS[0]), 0);
    const stats = (await api(sq.url, 'GET', '/api/v1/queue/dispatch-stats')).body;
    return { loads, totalMs: ended - began, cycles: emulators.map(cycleMs), counted: stats.model_loads as number, saved: stats.loads_saved as number };
  } finally {
    await sq.stop();
    await Promise.all(emulators.map((e) => e.close()));
  }
}

export async function benchSmartDispatch(): Promise<BenchResult> {
  const fifo = await run(false);
  const smart = await run(true);
  // The other 4 models must each be loaded at least once somewhere.
  const cycles = smart.cycles;
  const jobsPerMs = cycles.reduce((sum, c) => sum + 1 / c, 0);
  const lowerBoundMs = JOBS / jobsPerMs + ((MODELS.length - 1) * LOAD_MS) / SERVERS.length;
  return {
    name: `Smart dispatch: ${JOBS} jobs, ${MODELS.length} checkpoints, 2 servers (${SERVERS.map((s) => `${s.stepMs} ms/step`).join(', ')}), ${LOAD_MS} ms loads (time ÷10)`,
    figures: {
      queue_order_loads: fifo.loads,
      stablequeue_loads: smart.loads,
      loads_fewer_pct: round((1 - smart.loads / fifo.loads) * 100, 1),
      target_loads_fewer_pct: '≥ 60',
      queue_order_total_s: round(fifo.totalMs / 1000),
      stablequeue_total_s: round(smart.totalMs / 1000),
      lower_bound_s: round(lowerBoundMs / 1000),
      total_vs_lower_bound: round(smart.totalMs / lowerBoundMs),
      target_total_vs_lower_bound: '≤ 1.15',
      job_cycle_ms_slow_fast: cycles.map((c) => round(c, 0)).join(' / '),
      loads_counted_by_engine: smart.counted,
      loads_saved_shown: smart.saved,
    },
  };
}
