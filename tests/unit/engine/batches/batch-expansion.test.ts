import { describe, expect, it } from 'vitest';
import type { BatchAxis, BatchMode } from '../../../../shared/batches.ts';
import { BatchExpansionError, expandBatch } from '../../../../electron/engine/batches/batch-expansion.ts';
import { contactSheetPlans } from '../../../../electron/engine/batches/contact-sheet-plan.ts';
import { cellSize, CELL_MAX, CELL_MIN, wrapLabel } from '../../../../electron/engine/batches/contact-sheet.ts';

const expand = (axes: Record<string, BatchAxis>, opts: { mode?: BatchMode; base?: Record<string, unknown>; checkpoints?: string[]; maxJobs?: number } = {}) => {
  let next = 100;
  return expandBatch({
    baseParams: { positive_prompt: 'a cat, style', steps: 20, ...opts.base }, axes, mode: opts.mode ?? 'product', promptMode: 'combinatorial', promptSeed: 1,
    maxJobs: opts.maxJobs ?? 1000, wildcards: () => null, serverCheckpoints: opts.checkpoints ?? null, randomSeed: () => next++,
  });
};
const error = (run: () => unknown): BatchExpansionError => {
  try {
    run();
  } catch (e) {
    if (e instanceof BatchExpansionError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('batch expansion', () => {
  it('numbers cells with the first axis fastest and runs one checkpoint\'s jobs together', () => {
    const e = expand({ seed: [1, 2], checkpoint_name: ['a.safetensors', 'b.safetensors'], steps: [10, 20] });
    expect(e.jobCount).toBe(8);
    expect(e.job(0).params).toMatchObject({ seed: 1, checkpoint_name: 'a.safetensors', steps: 10 });
    expect(e.job(1).params).toMatchObject({ seed: 2, checkpoint_name: 'a.safetensors', steps: 10 });
    expect(e.job(2).params).toMatchObject({ seed: 1, checkpoint_name: 'b.safetensors', steps: 10 });
    expect(e.job(3).labels).toEqual(['Seed: 2', 'Checkpoint: b', 'Steps: 10']);
    const order = e.runOrder().map((cell) => e.job(cell).params.checkpoint_name);
    expect(order).toEqual([...Array(4).fill('a.safetensors'), ...Array(4).fill('b.safetensors')]);
  });

  it('zips axes of equal length and refuses unequal ones', () => {
    const e = expand({ seed: [1, 2, 3], cfg_scale: [4, 5, 6] }, { mode: 'zip' });
    expect(e.jobCount).toBe(3);
    expect([0, 1, 2].map((c) => [e.job(c).params.seed, e.job(c).params.cfg_scale])).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(error(() => expand({ seed: [1, 2], cfg_scale: [4] }, { mode: 'zip' })).code).toBe('zip_lengths_differ');
  });

  it('sizes, prompt S/R (the first value is the original), LoRA weights and random seeds', () => {
    const e = expand({ size: ['832x1216', '1024 x 1024'], prompt_sr: ['style', 'oil painting'], 'lora:detail': [0.5], seed: { random: 2 } },
      { base: { loras: [{ name: 'Detail', weight: 1 }, { name: 'other', weight: 0.3 }] } });
    expect(e.axes.find((a) => a.name === 'seed')!.values).toEqual([100, 101]);
    expect(e.job(0).params).toMatchObject({ width: 832, height: 1216, positive_prompt: 'a cat, style', loras: [{ name: 'Detail', weight: 0.5 }, { name: 'other', weight: 0.3 }] });
    expect(e.job(3).params).toMatchObject({ width: 1024, height: 1024, positive_prompt: 'a cat, oil painting' });
  });

  it('takes checkpoints from the server: all of them or a folder', () => {
    const checkpoints = ['sdxl/a.safetensors', 'sdxl/b.safetensors', 'sd15/c.ckpt'];
    expect(expand({ checkpoint_name: { all_on_server: true } }, { checkpoints }).jobCount).toBe(3);
    expect(expand({ checkpoint_name: { folder: 'SDXL/' } }, { checkpoints }).axes[0].values).toEqual(['sdxl/a.safetensors', 'sdxl/b.safetensors']);
    expect(error(() => expand({ checkpoint_name: { folder: 'flux/' } }, { checkpoints })).code).toBe('no_checkpoints');
    expect(error(() => expand({ checkpoint_name: { all_on_server: true } })).code).toBe('checkpoints_unknown');
  });

  it('counts before it makes anything: over the cap names the count and the axes', () => {
    const e = error(() => expand({ seed: { random: 50 }, steps: [1, 2, 3] }, { maxJobs: 100 }));
    expect(e.code).toBe('batch_too_large');
    expect(e.message).toContain('150 jobs (50 seed × 3 steps); the limit is 100');
  });
});

describe('contact sheet layout', () => {
  it('puts axis 1 in columns, axis 2 in rows and one sheet per value of the others', () => {
    const axes = [
      { name: 'seed', values: [1, 2], labels: ['1', '2'] },
      { name: 'steps', values: [10, 20, 30], labels: ['10', '20', '30'] },
      { name: 'cfg_scale', values: [4, 7], labels: ['4', '7'] },
    ];
    const plans = contactSheetPlans(axes, 'product', 12);
    expect(plans.map((p) => p.title)).toEqual(['CFG: 4', 'CFG: 7']);
    expect(plans[1].cells).toEqual([6, 7, 8, 9, 10, 11]);
    expect(plans[0].columns.labels).toEqual(['Seed: 1', 'Seed: 2']);
    expect(plans[0].rows?.labels).toEqual(['Steps: 10', 'Steps: 20', 'Steps: 30']);
    const zipped = contactSheetPlans(axes.slice(0, 2).map((a) => ({ ...a, values: a.values.slice(0, 2), labels: a.labels.slice(0, 2) })), 'zip', 2);
    expect(zipped).toEqual([{ title: null, columns: { axis: 'seed + steps', labels: ['Seed: 1 · Steps: 10', 'Seed: 2 · Steps: 20'] }, rows: null, cells: [0, 1] }]);
  });

  it('sizes cells between CELL_MIN and CELL_MAX, keeping the aspect ratio, and wraps labels', () => {
    expect(cellSize([{ width: 64, height: 64 }])).toEqual({ cellW: CELL_MIN, cellH: CELL_MIN });
    expect(cellSize([{ width: 832, height: 1216 }])).toEqual({ cellW: Math.round(832 * (CELL_MAX / 1216)), cellH: CELL_MAX });
    expect(cellSize([{ width: 1024, height: 1024 }], 100)).toEqual({ cellW: 100, cellH: 100 });
    expect(wrapLabel('Prompt: a lighthouse on a cliff at dusk', 100, 2)).toEqual(['Prompt: a', 'lighthouse…']);
  });
});
