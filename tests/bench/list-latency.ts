import path from 'node:path';
import { openDatabase } from '../../electron/engine/db/connection.ts';
import { JobStore } from '../../electron/engine/queue/job-store.ts';
import { systemClock } from '../../electron/engine/clock.ts';
import { startHeadless } from '../helpers/headless-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { percentile, round, type BenchResult } from './stats.ts';

/** A page of 50 from the queue list with 100,000 jobs in the database (mostly finished, 1,000 pending). */
export async function benchListLatency(total = 100_000): Promise<BenchResult> {
  const tmp = makeTempDir('sq-bench-list-');
  const db = openDatabase(path.join(tmp.dir, 'stablequeue.db'));
  const store = new JobStore(db, systemClock);
  db.transaction(() => {
    for (let i = 0; i < total; i++) {
      store.insert({ target_server_alias: 'auto', app_type: i % 3 ? 'forge' : 'comfyui', priority: 5, generation_params: { positive_prompt: `job ${i}` }, max_attempts: 3 });
    }
    db.prepare(`UPDATE jobs SET status = 'completed', completion_timestamp = creation_timestamp WHERE rowid % 100 != 0`).run();
  })();
  db.close();
  const sq = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
  try {
    await fetch(`${sq.url}/api/v1/queue/pause`, { method: 'POST' });
    const measure = async (query: string) => {
      const times: number[] = [];
      for (let i = 0; i < 300; i++) {
        const started = performance.now();
        const res = await fetch(`${sq.url}/api/v1/queue/jobs?limit=50&offset=${(i % 10) * 50}${query}`);
        await res.arrayBuffer();
        if (i >= 20) times.push(performance.now() - started);
      }
      return times;
    };
    const all = await measure('');
    const pending = await measure('&status=pending');
    const forge = await measure('&status=completed&app_type=forge');
    return {
      name: `Queue list page of 50 with ${total.toLocaleString('en')} jobs`,
      figures: {
        all_p50_ms: round(percentile(all, 50)), all_p95_ms: round(percentile(all, 95)),
        pending_p95_ms: round(percentile(pending, 95)), completed_forge_p95_ms: round(percentile(forge, 95)), target_p95_ms: 15,
      },
    };
  } finally {
    await sq.terminate();
    tmp.cleanup();
  }
}
