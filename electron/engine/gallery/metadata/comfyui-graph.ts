import { readWorkflow } from '../../backends/comfyui/graph/read-workflow.ts';
import { parseApiWorkflow, type ComfyGraph } from '../../backends/comfyui/workflow.ts';
import { EMPTY_METADATA, type ImageMetadata } from './image-metadata.ts';

/** The API-format graph of a ComfyUI PNG's `prompt` chunk, or null when it is not one. */
export function comfyGraphOf(promptChunk: string): ComfyGraph | null {
  try {
    return parseApiWorkflow(JSON.parse(promptChunk));
  } catch {
    return null;
  }
}

/** A ComfyUI image: its fields read from the graph the same way as for ComfyUI jobs. */
export function readComfyGraph(graph: ComfyGraph): ImageMetadata {
  const reading = readWorkflow(graph);
  const extra: Record<string, unknown> = {};
  if (reading.vae) extra.vae = reading.vae;
  if (reading.guidance !== null) extra.distilled_cfg_scale = reading.guidance;
  if (reading.denoise !== null && reading.denoise < 1) extra.denoising_strength = reading.denoise;
  return {
    ...EMPTY_METADATA,
    tool: 'comfyui',
    positive_prompt: reading.positive_prompt ?? '',
    negative_prompt: reading.negative_prompt,
    seed: reading.seed,
    sampler: reading.sampler_name,
    scheduler: reading.scheduler,
    steps: reading.steps,
    cfg_scale: reading.cfg,
    width: reading.width,
    height: reading.height,
    checkpoint: reading.checkpoint ?? reading.unet,
    loras: reading.loras.map((l) => ({ name: l.name.replace(/\.(safetensors|pt|ckpt)$/i, ''), weight: l.strength_model ?? 1 })),
    extra,
  };
}
