import type { JobDisplay } from '../../../shared/job-display.ts';
import type { GenerationParams } from '../../../shared/jobs.ts';
import { readWorkflow, type WorkflowReading } from '../backends/comfyui/graph/read-workflow.ts';
import { parseApiWorkflow } from '../backends/comfyui/workflow.ts';

/**
 * A job's display fields. The flat generic fields say it themselves; a ComfyUI workflow
 * is read along its links, so its prompt and model show in the queue and the gallery
 * filters and search find it. The jobs row keeps prompt and checkpoint as columns
 * (written at submit); the rest is read from the stored workflow when shown.
 */

/** How much prompt text a jobs row (and the images it makes) keeps for lists and search. */
const PROMPT_COLUMN_CHARS = 2000;

export interface DisplayColumns {
  positive_prompt: string;
  checkpoint_name: string | null;
}

function readingOf(params: GenerationParams): WorkflowReading | null {
  if (params.workflow === undefined || params.workflow === null) return null;
  try {
    return readWorkflow(parseApiWorkflow(params.workflow));
  } catch {
    // Not an API graph: the submit refuses it; an old row just shows nothing.
    return null;
  }
}

function present<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

/** What the job detail and the gallery show for a workflow job; null for flat-field jobs. */
export function displayOf(params: GenerationParams): JobDisplay | null {
  const r = readingOf(params);
  if (!r) return null;
  return {
    ...present('positive_prompt', r.positive_prompt),
    ...present('negative_prompt', r.negative_prompt),
    ...present('checkpoint_name', r.checkpoint ?? r.unet),
    ...(r.loras.length ? { loras: r.loras.map((l) => ({ name: l.name, weight: l.strength_model ?? l.strength_clip })) } : {}),
    ...(r.clip.length ? { text_encoders: r.clip } : {}),
    ...present('vae', r.vae),
    ...present('width', r.width),
    ...present('height', r.height),
    ...present('batch_size', r.batch_size),
    ...present('steps', r.steps),
    ...present('cfg_scale', r.cfg),
    ...present('distilled_cfg_scale', r.guidance),
    ...present('sampler_name', r.sampler_name),
    ...present('scheduler', r.scheduler),
    ...present('seed', r.seed),
    ...present('denoising_strength', r.denoise),
    ...present('init_image', r.init_image),
  };
}

/** The prompt and checkpoint a jobs row stores at submit (and its images copy). */
export function displayColumns(params: GenerationParams): DisplayColumns {
  const display = displayOf(params);
  const prompt = typeof params.positive_prompt === 'string' && params.positive_prompt !== '' ? params.positive_prompt : display?.positive_prompt ?? '';
  const checkpoint = typeof params.checkpoint_name === 'string' ? params.checkpoint_name : display?.checkpoint_name ?? null;
  return { positive_prompt: prompt.slice(0, PROMPT_COLUMN_CHARS), checkpoint_name: checkpoint };
}
