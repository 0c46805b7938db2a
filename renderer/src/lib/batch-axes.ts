/**
 * The Generate grid builder's rows as plain data, and how they become a batch request's
 * axes: one row per axis, its values typed as text (one per line, or comma-separated for
 * numbers and sizes), seeds optionally "n random", checkpoints optionally "all on the server".
 */
import type { BatchAxis, BatchMode } from '../../../shared/batches.ts';

export type AxisField =
  | 'positive_prompt' | 'negative_prompt' | 'prompt_sr' | 'seed' | 'checkpoint_name' | 'sampler_name' | 'scheduler'
  | 'steps' | 'cfg_scale' | 'size' | 'lora';

export interface AxisRow {
  key: number;
  field: AxisField;
  /** The values as typed. */
  text: string;
  /** seed: this many random seeds instead of a list (0: use the list). */
  random: number;
  /** checkpoint_name: every checkpoint of the target server. */
  allOnServer: boolean;
  /** lora: which LoRA's weight varies. */
  loraName: string;
}

/** What each field is called in the builder and how its values are typed. */
export const AXIS_FIELDS: Record<AxisField, { label: string; hint: string; list: 'lines' | 'numbers' | 'words' }> = {
  positive_prompt: { label: 'Prompt', hint: 'One prompt per line; {a|b} and __wildcards__ work', list: 'lines' },
  negative_prompt: { label: 'Negative prompt', hint: 'One per line', list: 'lines' },
  prompt_sr: { label: 'Prompt S/R', hint: 'First line: the text in your prompt; each line replaces it', list: 'lines' },
  seed: { label: 'Seed', hint: 'Seeds, comma-separated', list: 'numbers' },
  checkpoint_name: { label: 'Checkpoint', hint: 'One checkpoint per line', list: 'lines' },
  sampler_name: { label: 'Sampler', hint: 'One sampler per line', list: 'lines' },
  scheduler: { label: 'Scheduler', hint: 'One scheduler per line', list: 'lines' },
  steps: { label: 'Steps', hint: 'e.g. 20, 30, 40', list: 'numbers' },
  cfg_scale: { label: 'CFG scale', hint: 'e.g. 4, 5.5, 7', list: 'numbers' },
  size: { label: 'Size', hint: 'e.g. 832x1216, 1024x1024', list: 'words' },
  lora: { label: 'LoRA weight', hint: 'Weights, e.g. 0.4, 0.7, 1', list: 'numbers' },
};

let nextKey = 1;
export function newAxisRow(field: AxisField = 'seed'): AxisRow {
  return { key: nextKey++, field, text: '', random: field === 'seed' ? 4 : 0, allOnServer: false, loraName: '' };
}

/** The row's values: lines for text fields, comma/space-separated items for numbers and sizes; blanks dropped. */
export function axisValues(row: AxisRow): (string | number)[] {
  const kind = AXIS_FIELDS[row.field].list;
  if (kind === 'lines') return row.text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const items = row.text.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
  return kind === 'numbers' ? items.map((s) => (Number.isFinite(Number(s)) ? Number(s) : s)) : items;
}

/** The request's axes, in row order; rows without values are left out (null when none is left). */
export function requestAxes(rows: readonly AxisRow[]): Record<string, BatchAxis> | null {
  const axes: Record<string, BatchAxis> = {};
  for (const row of rows) {
    const name = row.field === 'lora' ? `lora:${row.loraName.trim()}` : row.field;
    if (row.field === 'lora' && !row.loraName.trim()) continue;
    if (row.field === 'seed' && row.random > 0) { axes[name] = { random: row.random }; continue; }
    if (row.field === 'checkpoint_name' && row.allOnServer) { axes[name] = { all_on_server: true }; continue; }
    const values = axisValues(row);
    if (values.length) axes[name] = values;
  }
  return Object.keys(axes).length ? axes : null;
}

export const BATCH_MODES: { value: BatchMode; label: string }[] = [
  { value: 'product', label: 'Every combination' },
  { value: 'zip', label: 'Side by side' },
];
