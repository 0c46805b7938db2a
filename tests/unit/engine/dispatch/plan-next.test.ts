/**
 * The dispatch planner as a pure function: grouping by loaded model within its bounds, the
 * earliest-finish choice between servers, waiting for a busy server that would still finish
 * first, and fair-share order. Jobs are plain rows; times are made up.
 */
import { describe, expect, it } from 'vitest';
import type { JobRow } from '../../../../electron/engine/queue/job-row.ts';
import { fairShareOrder } from '../../../../electron/engine/queue/dispatch/fair-share.ts';
import { shapeOfParams, type JobShape } from '../../../../electron/engine/queue/dispatch/job-shape.ts';
import { planNext, type PlanInput, type PlanServer } from '../../../../electron/engine/queue/dispatch/plan-next.ts';

const NOW = 1_000_000;

function job(id: string, checkpoint: string, extra: Partial<JobRow> = {}): JobRow {
  return {
    mobilesd_job_id: id, checkpoint_name: checkpoint, priority: 5, position: Number(id.replace(/\D/g, '')) || 0,
    overtaken_count: 0, overtaken_since: null, target_server_alias: 'auto', api_key_id: null, source_info: null,
    ...extra,
  } as JobRow;
}

function input(candidates: JobRow[], servers: PlanServer[], over: Partial<PlanInput> = {}): PlanInput {
  return {
    now: NOW, candidates, servers,
    freeFor: () => servers.filter((s) => s.free).map((s) => s.alias),
    canRunLater: () => true,
    shapeOf: (j): JobShape => ({ checkpoint: j.checkpoint_name ?? '', width: 512, height: 512, steps: 20, batch: 1 }),
    cost: { runMs: () => 1000, loadMs: () => 5000 },
    policy: { grouping: true, maxOvertake: 20, maxDelayMs: 600_000 },
    ...over,
  };
}

const free = (alias: string, checkpoint: string | null): PlanServer => ({ alias, free: true, availableAt: NOW, checkpoint });

describe('planNext', () => {
  it('lets a job with the loaded model pass one that would force a load, and names the passed jobs', () => {
    const plan = planNext(input([job('j1', 'B'), job('j2', 'B'), job('j3', 'A')], [free('s1', 'A')]));
    expect(plan).toMatchObject({ alias: 's1', loadsModel: false, overtaken: ['j1', 'j2'] });
    expect(plan!.job.mobilesd_job_id).toBe('j3');
  });

  it('keeps queue order with grouping off', () => {
    const plan = planNext(input([job('j1', 'B'), job('j2', 'A')], [free('s1', 'A')], { policy: { grouping: false, maxOvertake: 20, maxDelayMs: 600_000 } }));
    expect(plan).toMatchObject({ loadsModel: true, overtaken: [] });
    expect(plan!.job.mobilesd_job_id).toBe('j1');
  });

  it('does not pass a job already passed K times, nor one first passed longer than T ago', () => {
    const servers = [free('s1', 'A')];
    const atK = planNext(input([job('j1', 'B', { overtaken_count: 20 }), job('j2', 'A')], servers));
    expect(atK!.job.mobilesd_job_id).toBe('j1');
    const late = planNext(input([job('j1', 'B', { overtaken_since: NOW - 600_000 }), job('j2', 'A')], servers));
    expect(late!.job.mobilesd_job_id).toBe('j1');
    // A job further back that may not be passed stops the search there too.
    const behind = planNext(input([job('j1', 'B'), job('j2', 'C', { overtaken_count: 20 }), job('j3', 'A')], servers));
    expect(behind!.job.mobilesd_job_id).toBe('j1');
  });

  it('never groups across priority levels', () => {
    const plan = planNext(input([job('j1', 'B', { priority: 9 }), job('j2', 'A', { priority: 5 })], [free('s1', 'A')]));
    expect(plan!.job.mobilesd_job_id).toBe('j1');
  });

  it('sends a job to the free server where it finishes first', () => {
    const plan = planNext(input([job('j1', 'A')], [free('slow', 'A'), free('fast', 'A')], {
      cost: { runMs: (alias) => (alias === 'fast' ? 1000 : 3000), loadMs: () => 5000 },
    }));
    expect(plan!.alias).toBe('fast');
  });

  it('waits for a busy faster server when it would still finish first, and gives the slow one the next job', () => {
    const servers: PlanServer[] = [free('slow', 'A'), { alias: 'fast', free: false, availableAt: NOW + 500, checkpoint: 'A' }];
    const cost = { runMs: (alias: string) => (alias === 'fast' ? 1000 : 3000), loadMs: () => 0 };
    // j1 → fast at +1500 (slow: +3000); j2 → fast at +2500 (slow: +3000); j3 → slow (+3000 < fast's +3500).
    const plan = planNext(input([job('j1', 'A'), job('j2', 'A'), job('j3', 'A')], servers, { cost }));
    expect(plan).toMatchObject({ alias: 'slow', overtaken: [] });
    expect(plan!.job.mobilesd_job_id).toBe('j3');
  });

  it('returns null when no job can start now', () => {
    expect(planNext(input([job('j1', 'A')], [free('s1', 'A')], { freeFor: () => null }))).toBeNull();
  });
});

describe('fair share and job shapes', () => {
  it('takes turns between sources, the one served longest ago first', () => {
    const script = Array.from({ length: 4 }, (_, i) => ({ ...job(`s${i}`, 'A', { source_info: 'script' }), share_rank: i + 1 }));
    const phone = { ...job('p9', 'A', { source_info: 'phone' }), share_rank: 1 };
    const served = new Map([['script', NOW]]);
    const order = fairShareOrder([...script, phone], (source) => served.get(source) ?? 0).map((j) => j.mobilesd_job_id);
    expect(order.slice(0, 2)).toEqual(['p9', 's0']);
  });

  it('reads the checkpoint, size, steps and batch of a ComfyUI graph', () => {
    const workflow = {
      4: { class_type: 'UNETLoader', inputs: { unet_name: 'flux1-dev.safetensors', weight_dtype: 'default' } },
      5: { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 768, batch_size: 2 } },
      6: { class_type: 'CLIPTextEncode', inputs: { text: 'a fox', clip: ['11', 0] } },
      3: { class_type: 'KSampler', inputs: { model: ['4', 0], positive: ['6', 0], negative: ['6', 0], latent_image: ['5', 0], steps: 28, cfg: 1, seed: 1, sampler_name: 'euler', scheduler: 'simple', denoise: 1 } },
      8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['10', 0] } },
      9: { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'x' } },
      10: { class_type: 'VAELoader', inputs: { vae_name: 'ae.safetensors' } },
      11: { class_type: 'DualCLIPLoader', inputs: { clip_name1: 't5xxl_fp16.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux' } },
    };
    expect(shapeOfParams({ workflow }, 'flux1-dev.safetensors')).toEqual({ checkpoint: 'flux1-dev.safetensors', width: 1024, height: 768, steps: 28, batch: 2 });
    expect(shapeOfParams({ positive_prompt: 'x', width: 640, steps: 8, batch_size: 2, n_iter: 3 }, null)).toEqual({ checkpoint: '', width: 640, height: 512, steps: 8, batch: 6 });
  });
});
