import os from 'node:os';
import { createForgeEmulator } from '../emulators/forge/index.ts';
import { startHeadless } from '../helpers/headless-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { percentile, round, type BenchResult } from './stats.ts';

/**
 * A 10 × 10 × 10 batch (1,000 jobs) through POST /api/v1/batches on a headless server:
 * the time until the answer (the jobs are durable then), and the queue list's p95 while
 * the batch is being made and while its jobs run on a Forge emulator.
 */
export async function benchBatchSubmit(rounds = 5): Promise<BenchResult> {
  const tmp = makeTempDir('sq-bench-batch-');
  const forge = await createForgeEmulator({ stepMs: 1 });
  const sq = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
  const json = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sq.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: await res.json() as any };
  };
  try {
    const added = await json('POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url });
    if (added.status !== 201) throw new Error(`server not added: ${JSON.stringify(added.body)}`);
    const batch = (round: number) => ({
      base: { target_server_alias: 'f1', generation_params: { steps: 1, width: 64, height: 64, negative_prompt: 'blurry' } },
      axes: {
        positive_prompt: Array.from({ length: 10 }, (_, i) => `a lighthouse, variant ${round}-${i}`),
        seed: Array.from({ length: 10 }, (_, i) => 1000 + i),
        cfg_scale: Array.from({ length: 10 }, (_, i) => 3 + i * 0.5),
      },
    });

    // The batches are made with the queue paused, so the answer time is the submit alone.
    await json('POST', '/api/v1/queue/pause');
    const answerMs: number[] = [];
    const listDuringSubmit: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let submitting = true;
      const lister = (async () => {
        while (submitting) {
          const started = performance.now();
          await (await fetch(`${sq.url}/api/v1/queue/jobs?limit=50`)).arrayBuffer();
          listDuringSubmit.push(performance.now() - started);
        }
      })();
      const started = performance.now();
      const res = await json('POST', '/api/v1/batches', batch(r));
      answerMs.push(performance.now() - started);
      submitting = false;
      await lister;
      if (res.status !== 201 || res.body.job_count !== 1000) throw new Error(`batch refused: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }

    // Then the jobs run, and the list is read the way the Queue tab reads it.
    await json('POST', '/api/v1/queue/resume');
    const listWhileRunning: number[] = [];
    const until = performance.now() + 10_000;
    while (performance.now() < until) {
      const started = performance.now();
      await (await fetch(`${sq.url}/api/v1/queue/jobs?limit=50`)).arrayBuffer();
      listWhileRunning.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const state = await json('GET', '/api/v1/queue/state');
    return {
      name: `Batch of 10 × 10 × 10 = 1,000 jobs (${rounds} rounds, ${rounds * 1000} jobs in the queue at the end)`,
      figures: {
        answer_p50_ms: round(percentile(answerMs, 50)),
        answer_max_ms: round(Math.max(...answerMs)),
        answer_target_ms: 300,
        answer_vs_target: round(percentile(answerMs, 50) / 300),
        list_p95_during_submit_ms: round(percentile(listDuringSubmit, 95)),
        list_samples_during_submit: listDuringSubmit.length,
        list_p95_while_running_ms: round(percentile(listWhileRunning, 95)),
        jobs_completed_in_10s: state.body.counts.completed ?? 0,
        // Shared machines skew every figure above; the 1-minute load average says how busy this one was.
        load_average_1m: round(os.loadavg()[0]),
        cpus: os.cpus().length,
      },
    };
  } finally {
    await sq.terminate();
    await forge.close();
    tmp.cleanup();
  }
}
