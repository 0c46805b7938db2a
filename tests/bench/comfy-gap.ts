import { createComfyEmulator } from '../emulators/comfyui/index.ts';
import { startHeadless } from '../helpers/headless-process.ts';
import { api, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { percentile, round, type BenchResult } from './stats.ts';

function workflow(i: number, steps: number) {
  return {
    1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    2: { class_type: 'CLIPTextEncode', inputs: { text: `gap ${i}`, clip: ['1', 1] } },
    3: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
    4: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    5: { class_type: 'KSampler', inputs: { seed: i, steps, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0] } },
    6: { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    7: { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'gap' } },
  };
}

/**
 * Idle gap on one emulated ComfyUI server: from one prompt's execution_success to the next
 * prompt's execution_start (the emulator's own timestamps), over 100 short jobs. StableQueue
 * keeps the next prompt queued on the server, so ComfyUI starts it without waiting for us.
 */
export async function benchComfyGap(jobs = 100, stepMs = 2, steps = 8): Promise<BenchResult> {
  const comfy = await createComfyEmulator({ stepMs, previews: false });
  const tmp = makeTempDir('sq-bench-comfy-gap-');
  const sq = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
  try {
    await api(sq.url, 'POST', '/api/v1/servers', { alias: 'comfy', app_type: 'comfyui', api_url: comfy.url });
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const ids: string[] = [];
    for (let i = 0; i < jobs; i++) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'comfy', generation_params: { workflow: workflow(i, steps) } });
      ids.push(res.body.mobilesd_job_id);
    }
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    // Watch the emulator rather than polling 100 job statuses, which would load the engine we measure.
    const until = Date.now() + 120_000;
    while (comfy.executions.filter((e) => e.outcome === 'success').length < jobs && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitForJobs(sq.url, ids, 30_000);
    const runs = comfy.executions.filter((e) => e.outcome === 'success').sort((a, b) => a.startedPerf - b.startedPerf);
    const gaps: number[] = [];
    for (let i = 1; i < runs.length; i++) gaps.push(runs[i].startedPerf - runs[i - 1].endedPerf!);
    const runMs = runs.map((r) => r.endedPerf! - r.startedPerf);
    return {
      name: 'Idle gap between ComfyUI prompts (execution_success → next execution_start)',
      figures: {
        jobs: runs.length,
        run_median_ms: round(percentile(runMs, 50)),
        median_ms: round(percentile(gaps, 50)),
        p95_ms: round(percentile(gaps, 95)),
        max_ms: round(Math.max(...gaps)),
        target_median_ms: 2,
      },
    };
  } finally {
    await sq.terminate();
    await comfy.close();
    tmp.cleanup();
  }
}
