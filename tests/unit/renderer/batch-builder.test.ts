import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/jobs.ts';
import { axisValues, newAxisRow, requestAxes } from '../../../renderer/src/lib/batch-axes.ts';
import { groupByBatch } from '../../../renderer/src/lib/batch-groups.ts';

describe('grid builder rows → batch axes', () => {
  it('reads lines for text fields and comma or space separated items for numbers and sizes', () => {
    expect(axisValues({ ...newAxisRow('positive_prompt'), text: 'a red fox\n\n  an old oak  \n' })).toEqual(['a red fox', 'an old oak']);
    expect(axisValues({ ...newAxisRow('steps'), text: '20, 30 40,' })).toEqual([20, 30, 40]);
    expect(axisValues({ ...newAxisRow('size'), text: '832x1216, 1024x1024' })).toEqual(['832x1216', '1024x1024']);
  });

  it('builds the request in row order: random seeds, every checkpoint on the server, LoRA weights; empty rows left out', () => {
    const rows = [
      { ...newAxisRow('checkpoint_name'), allOnServer: true },
      newAxisRow('seed'),
      { ...newAxisRow('lora'), loraName: 'add_detail', text: '0.4, 0.8' },
      { ...newAxisRow('lora'), text: '1' },
      { ...newAxisRow('cfg_scale'), text: '' },
    ];
    const axes = requestAxes(rows)!;
    expect(Object.keys(axes)).toEqual(['checkpoint_name', 'seed', 'lora:add_detail']);
    expect(axes).toEqual({ checkpoint_name: { all_on_server: true }, seed: { random: 4 }, 'lora:add_detail': [0.4, 0.8] });
    expect(requestAxes([{ ...newAxisRow('steps'), text: ' ' }])).toBeNull();
  });
});

describe('queue list grouped by batch', () => {
  const job = (id: string, batch: string | null) => ({ mobilesd_job_id: id, batch_id: batch }) as JobSummary;
  it('gathers a batch under one group where its first job is, keeping the order around it', () => {
    const items = groupByBatch([job('1', null), job('2', 'b'), job('3', null), job('4', 'b'), job('5', 'c')]);
    expect(items.map((i) => (i.kind === 'job' ? i.job.mobilesd_job_id : `${i.batchId}:${i.jobs.map((j) => j.mobilesd_job_id).join(',')}`)))
      .toEqual(['1', 'b:2,4', '3', 'c:5']);
  });
});
