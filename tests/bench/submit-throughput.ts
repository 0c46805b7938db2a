import http from 'node:http';
import { startHeadless } from '../helpers/headless-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { percentile, round, type BenchResult } from './stats.ts';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: URL, body: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Open loop: requests sent on a fixed schedule at `rate` per second, latency measured from each send. */
async function pacedRun(url: URL, body: string, rate: number, seconds: number) {
  const latencies: number[] = [];
  const inflight: Promise<void>[] = [];
  const tickMs = 10;
  const perTick = (rate * tickMs) / 1000;
  const started = performance.now();
  for (let tick = 0; tick < (seconds * 1000) / tickMs; tick++) {
    for (let i = 0; i < perTick; i++) inflight.push(post(url, body).then((r) => { if (r.status === 202) latencies.push(r.ms); }));
    const next = started + (tick + 1) * tickMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  return { rate: Math.round(latencies.length / elapsed), p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) };
}

/** Sustained POST /api/v1/generate against the headless server (a separate process) for a few seconds. */
export async function benchSubmitThroughput(seconds = 6, concurrency = 32): Promise<BenchResult> {
  const tmp = makeTempDir('sq-bench-submit-');
  const sq = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
  const url = new URL('/api/v1/generate', sq.url);
  const body = JSON.stringify({
    target_server_alias: 'auto',
    generation_params: { positive_prompt: 'a lighthouse at dusk, volumetric light', negative_prompt: 'blurry', steps: 20, width: 512, height: 512, cfg_scale: 7, sampler_name: 'Euler a' },
  });
  try {
    // Warm-up so JIT and prepared statements are ready.
    for (let i = 0; i < 200; i++) await post(url, body);
    const latencies: number[] = [];
    let errors = 0;
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const res = await post(url, body);
        if (res.status === 202) latencies.push(res.ms); else errors++;
      }
    }));
    const elapsed = (performance.now() - started) / 1000;
    const paced = await pacedRun(url, body, 2_000, 5);
    return {
      name: 'POST /api/v1/generate sustained (durable: WAL + synchronous=FULL)',
      figures: {
        jobs_per_s: Math.round(latencies.length / elapsed), p50_ms: round(percentile(latencies, 50)), p99_ms: round(percentile(latencies, 99)),
        errors, concurrency,
        paced_offered_per_s: 2_000, paced_achieved_per_s: paced.rate, paced_p50_ms: paced.p50, paced_p99_ms: paced.p99,
        target: '>= 2000 jobs/s, p99 <= 25 ms',
      },
    };
  } finally {
    await sq.terminate();
    tmp.cleanup();
  }
}
