import type { ImageLora } from '../../../../shared/images.ts';
import { parseApiWorkflow } from '../../backends/comfyui/workflow.ts';
import { loraTags } from './a1111-infotext.ts';
import { readComfyGraph } from './comfyui-graph.ts';
import { EMPTY_METADATA, integerOrNull, numberOrNull, stringOrNull, type ImageMetadata } from './image-metadata.ts';

/**
 * The fields of a StableQueue job's image from the job's own generation params, for
 * images whose file carries no infotext (ComfyUI jobs, or a server that sent none).
 */
export function readJobParams(params: Record<string, unknown>): ImageMetadata {
  if (params.workflow && typeof params.workflow === 'object') {
    try {
      const meta = readComfyGraph(parseApiWorkflow(params.workflow));
      return { ...meta, positive_prompt: meta.positive_prompt || (stringOrNull(params.positive_prompt) ?? '') };
    } catch {
      // Not a graph we can read: fall back to the flat fields.
    }
  }
  const prompt = stringOrNull(params.positive_prompt) ?? '';
  const loras: ImageLora[] = loraTags(prompt);
  for (const entry of Array.isArray(params.loras) ? params.loras : []) {
    const name = typeof entry === 'object' && entry ? stringOrNull((entry as Record<string, unknown>).name) : null;
    if (name && !loras.some((l) => l.name === name)) loras.push({ name, weight: numberOrNull((entry as Record<string, unknown>).weight) ?? 1 });
  }
  return {
    ...EMPTY_METADATA,
    tool: 'a1111',
    positive_prompt: prompt,
    negative_prompt: stringOrNull(params.negative_prompt),
    seed: numberOrNull(params.seed),
    sampler: stringOrNull(params.sampler_name),
    scheduler: stringOrNull(params.scheduler),
    steps: integerOrNull(params.steps),
    cfg_scale: numberOrNull(params.cfg_scale),
    width: integerOrNull(params.width),
    height: integerOrNull(params.height),
    checkpoint: stringOrNull(params.checkpoint_name),
    checkpoint_hash: stringOrNull(params.checkpoint_hash),
    loras,
    extra: {},
  };
}
