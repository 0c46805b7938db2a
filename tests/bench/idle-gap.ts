import { createForgeEmulator } from '../emulators/forge/index.ts';
import { startHeadless } from '../helpers/headless-process.ts';
import { api, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { percentile, round, type BenchResult } from './stats.ts';

/**
 * Idle gap on one emulated Forge server: from the moment the last byte of one job's
 * response leaves the server to the arrival of the next job's request, over 200 short jobs.
 */
export async function benchIdleGap(jobs = 200): Promise<BenchResult> {
  const forge = await createForgeEmulator({ stepMs: 1 });
  const tmp = makeTempDir('sq-bench-gap-');
  const sq = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
  try {
    await api(sq.url, 'POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url });
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const ids: string[] = [];
    for (let i = 0; i < jobs; i++) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: `gap ${i}`, steps: 1, width: 64, height: 64 } });
      ids.push(res.body.mobilesd_job_id);
    }
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitForJobs(sq.url, ids, 120_000);
    const log = forge.generationLog.filter((g) => g.respondedAt !== undefined).sort((a, b) => a.receivedAt - b.receivedAt);
    const gaps: number[] = [];
    for (let i = 1; i < log.length; i++) gaps.push(log[i].receivedAt - log[i - 1].respondedAt!);
    return {
      name: 'Idle gap between Forge jobs (response end → next request)',
      figures: { jobs: log.length, median_ms: round(percentile(gaps, 50)), p95_ms: round(percentile(gaps, 95)), target_median_ms: 5 },
    };
  } finally {
    await sq.terminate();
    await forge.close();
    tmp.cleanup();
  }
}
