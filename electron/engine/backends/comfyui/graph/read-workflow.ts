import type { ComfyGraph } from '../workflow.ts';
import { byNodeId, linkedNode, MAX_DEPTH, sinkNodes, upstream } from './follow-links.ts';
import { readLatentSource } from './latent-source.ts';
import { readClipNames, readModelChain, type LoraUse } from './model-chain.ts';
import { readConditioning } from './prompt-text.ts';
import { isSampler, readSampler } from './sampler-settings.ts';

/**
 * What an API-format workflow makes, read the way a person would: from the output nodes
 * up to the sampler that starts the image (the base pass, not a refiner or hires pass
 * that continues its latent), then from that sampler along its links to the prompt
 * text, the models, the latent size and the input image. Pure: the graph is never
 * changed. Fields that cannot be known from the graph are null.
 */
export interface WorkflowReading {
  positive_prompt: string | null;
  negative_prompt: string | null;
  checkpoint: string | null;
  unet: string | null;
  clip: string[];
  vae: string | null;
  loras: LoraUse[];
  width: number | null;
  height: number | null;
  batch_size: number | null;
  steps: number | null;
  cfg: number | null;
  /** Flux guidance (FluxGuidance), the distilled CFG. */
  guidance: number | null;
  sampler_name: string | null;
  scheduler: string | null;
  seed: number | null;
  denoise: number | null;
  init_image: string | null;
  /** The sampler node the reading starts from, or null when the graph has none. */
  sampler_node: string | null;
}

const EMPTY: WorkflowReading = {
  positive_prompt: null, negative_prompt: null, checkpoint: null, unet: null, clip: [], vae: null, loras: [],
  width: null, height: null, batch_size: null, steps: null, cfg: null, guidance: null, sampler_name: null,
  scheduler: null, seed: null, denoise: null, init_image: null, sampler_node: null,
};

/** Samplers feeding the outputs, the first output's first; each followed back to the pass that starts it. */
function baseSampler(graph: ComfyGraph): string | null {
  const candidates: string[] = [];
  for (const sink of sinkNodes(graph)) {
    for (const id of upstream(graph, sink)) if (isSampler(graph[id]) && !candidates.includes(id)) candidates.push(id);
  }
  // A graph whose samplers feed nothing (no output node) still has samplers.
  if (!candidates.length) candidates.push(...Object.keys(graph).filter((id) => isSampler(graph[id])).sort(byNodeId));
  let current = candidates[0] ?? null;
  const seen = new Set<string>();
  while (current !== null && !seen.has(current)) {
    seen.add(current);
    const earlier = readLatentSource(graph, readSampler(graph, graph[current]).latent).from_sampler;
    if (earlier === null) break;
    current = earlier;
  }
  return current;
}

/** The VAE a decoder loads by name (VAELoader); null when the checkpoint's own VAE is used. */
function vaeName(graph: ComfyGraph): string | null {
  for (const node of Object.values(graph)) {
    if (!/^VAEDecode/.test(node.class_type)) continue;
    const source = linkedNode(graph, node.inputs.vae);
    if (source?.node.class_type === 'VAELoader' && typeof source.node.inputs.vae_name === 'string') return source.node.inputs.vae_name;
  }
  return null;
}

function joined(texts: string[]): string | null {
  return texts.length ? texts.join('\n') : null;
}

export function readWorkflow(graph: ComfyGraph): WorkflowReading {
  const samplerId = baseSampler(graph);
  if (samplerId === null) return { ...EMPTY, clip: [], loras: [] };
  const sampler = readSampler(graph, graph[samplerId]);
  const positive = readConditioning(graph, sampler.positive);
  const negative = readConditioning(graph, sampler.negative);
  const models = readModelChain(graph, sampler.model);
  const latent = readLatentSource(graph, sampler.latent);
  let clip: string[] = [];
  // The text encoders: from the CLIP input of the positive side's encoder.
  for (let link: unknown = sampler.positive, depth = 0; depth < MAX_DEPTH && !clip.length; depth++) {
    const node = linkedNode(graph, link);
    if (!node) break;
    if ('clip' in node.node.inputs) clip = readClipNames(graph, node.node.inputs.clip);
    link = node.node.inputs.conditioning ?? node.node.inputs.positive;
  }
  return {
    positive_prompt: joined(positive.texts),
    negative_prompt: joined(negative.texts),
    checkpoint: models.checkpoint,
    unet: models.unet,
    clip,
    vae: vaeName(graph),
    loras: models.loras,
    width: latent.width,
    height: latent.height,
    batch_size: latent.batch_size,
    steps: sampler.steps,
    cfg: sampler.cfg,
    guidance: positive.guidance,
    sampler_name: sampler.sampler_name,
    scheduler: sampler.scheduler,
    seed: sampler.seed,
    denoise: sampler.denoise,
    init_image: latent.init_image,
    sampler_node: samplerId,
  };
}
