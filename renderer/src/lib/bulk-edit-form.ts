/**
 * The "Edit N jobs" form as a bulk `edit` request: every field starts as "keep each job's
 * own", and only the fields the user set are sent. Also how the answer's skip reasons read.
 */
import type { BulkEdit } from '../../../shared/queue-bulk.ts';

export type SeedChoice = 'keep' | 'random' | 'fixed';

export interface BulkEditForm {
  find: string;
  replace: string;
  checkpoint: string;
  sampler: string;
  setSteps: boolean;
  steps: number;
  setCfg: boolean;
  cfg: number;
  setSize: boolean;
  width: number;
  height: number;
  seed: SeedChoice;
  /** The fixed seed; empty keeps each job's own seed (a random one made concrete). */
  fixedSeed: string;
}

export function emptyBulkEditForm(): BulkEditForm {
  return {
    find: '', replace: '', checkpoint: '', sampler: '', setSteps: false, steps: 20, setCfg: false, cfg: 7,
    setSize: false, width: 512, height: 512, seed: 'keep', fixedSeed: '',
  };
}

/** The edit the form asks for, or null when it asks for nothing yet. */
export function bulkEditOf(form: BulkEditForm): BulkEdit | null {
  const edit: BulkEdit = {};
  if (form.find) {
    edit.find = form.find;
    edit.replace = form.replace;
  }
  if (form.checkpoint) edit.checkpoint_name = form.checkpoint;
  if (form.sampler) edit.sampler_name = form.sampler;
  if (form.setSteps) edit.steps = form.steps;
  if (form.setCfg) edit.cfg_scale = form.cfg;
  if (form.setSize) {
    edit.width = form.width;
    edit.height = form.height;
  }
  if (form.seed !== 'keep') {
    edit.seed_mode = form.seed;
    const seed = form.fixedSeed.trim();
    if (form.seed === 'fixed' && seed !== '') edit.seed = Number(seed);
  }
  return Object.keys(edit).length ? edit : null;
}

const SKIP_REASONS: Record<string, string> = {
  not_waiting: 'already running or finished',
  unchanged: 'already as asked',
  not_found: 'no longer in the queue',
  unknown_server: 'their server is gone',
  app_type_mismatch: 'not for this kind of server',
  missing_workflow: 'a ComfyUI job needs its graph',
  validation_error: 'the change would make them invalid',
};

/** One skip reason as the user reads it. */
export function skipReasonText(reason: string): string {
  return SKIP_REASONS[reason] ?? reason.replace(/_/g, ' ');
}
