import type { GenerationParams } from '../../../../shared/jobs.ts';
import { unknownSamplerChoice } from './sampler-map.ts';
import { BackendError } from '../types.ts';
import { parseApiWorkflow } from './workflow.ts';

/**
 * What a ComfyUI job gets wrong that no server could run, found when it is submitted
 * (a 400 that explains) rather than when it is dispatched: a workflow that is not an API
 * graph (the editor's UI format, a whole POST /prompt body), or a sampler / scheduler
 * the built-in graph's KSampler does not have.
 */
export interface SubmitProblem {
  code: 'invalid_workflow' | 'unknown_sampler' | 'unknown_scheduler';
  message: string;
  details?: Record<string, unknown>;
}

export function comfySubmitProblem(params: GenerationParams): SubmitProblem | null {
  if (params.workflow !== undefined && params.workflow !== null) {
    try {
      parseApiWorkflow(params.workflow);
      return null;
    } catch (error) {
      if (error instanceof BackendError) return { code: 'invalid_workflow', message: error.message };
      throw error;
    }
  }
  const unknown = unknownSamplerChoice(params.sampler_name, params.scheduler);
  if (!unknown) return null;
  const what = unknown.field === 'sampler_name' ? 'sampler' : 'scheduler';
  return {
    code: unknown.field === 'sampler_name' ? 'unknown_sampler' : 'unknown_scheduler',
    message: `ComfyUI has no ${what} "${unknown.value}" and nothing equivalent. Use one of: ${unknown.valid.join(', ')} (A1111 names such as "DPM++ 2M Karras" are translated).`,
    details: { [unknown.field]: unknown.value, valid: unknown.valid },
  };
}
