import type { GenerationParams } from '../../../../shared/jobs.ts';
import { displayOf } from '../job-display.ts';
import type { JobRow } from '../job-row.ts';

/**
 * What decides how long a job takes and whether it makes its server load a model: its
 * checkpoint (the one a ComfyUI graph loads, checkpoint or UNet, read along its links), size,
 * steps and batch. Sizes a job leaves out are the servers' usual defaults.
 */
export interface JobShape {
  /** '' when the job names none: it runs on whatever the server has loaded. */
  checkpoint: string;
  width: number;
  height: number;
  steps: number;
  /** Images made in one job (batch size × iterations). */
  batch: number;
}

const DEFAULTS = { width: 512, height: 512, steps: 20, batch: 1 };

const positive = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : fallback;

export function shapeOfParams(params: GenerationParams, checkpoint: string | null): JobShape {
  const graph = params.workflow !== undefined && params.workflow !== null ? displayOf(params) : null;
  const read = (flat: unknown, fromGraph: unknown, fallback: number) => positive(flat, positive(fromGraph, fallback));
  return {
    checkpoint: checkpoint ?? '',
    width: read(params.width, graph?.width, DEFAULTS.width),
    height: read(params.height, graph?.height, DEFAULTS.height),
    steps: read(params.steps, graph?.steps, DEFAULTS.steps),
    batch: read(params.batch_size, graph?.batch_size, DEFAULTS.batch) * positive(params.n_iter, 1),
  };
}

/** Megapixel-steps: the work a job asks of a GPU, to scale a speed learned on other shapes. */
export function workUnits(shape: JobShape): number {
  return (shape.width * shape.height * shape.steps * shape.batch) / 1_000_000;
}

/**
 * A job row's shape, parsed once per job: a dispatch pass and an ETA plan read the same
 * rows again and again, and their params never change while they wait (an edit makes a
 * new `last_updated_timestamp`, which is part of the key).
 */
export class JobShapes {
  readonly #cache = new Map<string, { stamp: string; shape: JobShape }>();

  of(row: Pick<JobRow, 'mobilesd_job_id' | 'last_updated_timestamp' | 'generation_params_json' | 'checkpoint_name'>): JobShape {
    const cached = this.#cache.get(row.mobilesd_job_id);
    if (cached && cached.stamp === row.last_updated_timestamp) return cached.shape;
    const shape = shapeOfParams(JSON.parse(row.generation_params_json) as GenerationParams, row.checkpoint_name);
    if (this.#cache.size >= 20_000) this.#cache.clear();
    this.#cache.set(row.mobilesd_job_id, { stamp: row.last_updated_timestamp, shape });
    return shape;
  }
}
