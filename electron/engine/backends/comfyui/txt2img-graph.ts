import type { GenerationParams } from '../../../../shared/jobs.ts';
import { mapSampler } from './sampler-map.ts';
import type { ComfyGraph } from './workflow.ts';

/** Names already resolved against the server's own lists. */
export interface ResolvedModels {
  checkpoint: string;
  loras: { name: string; weight: number }[];
  vae: string | null;
}

export interface Txt2ImgGraph {
  graph: ComfyGraph;
  /** The SaveImage node whose images are the job's result. */
  outputNode: string;
  samplerNode: string;
}

// Fixed ids so the graph is easy to read in ComfyUI's history and in the PNG's `prompt` chunk.
const ID = { checkpoint: '1', positive: '2', negative: '3', latent: '4', sampler: '5', decode: '6', save: '7', vae: '8' } as const;
const FIRST_LORA_ID = 100;

const DEFAULTS = { width: 512, height: 512, steps: 20, cfg: 7, batch: 1 };

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * The generic job fields as ComfyUI's default txt2img graph:
 * CheckpointLoaderSimple → LoraLoader chain → CLIPTextEncode ×2 → EmptyLatentImage → KSampler →
 * VAEDecode (optionally with a VAELoader) → SaveImage.
 * ComfyUI has no n_iter: batch_size × n_iter images come out of one batch.
 */
export function buildTxt2ImgGraph(params: GenerationParams, models: ResolvedModels, seed: number): Txt2ImgGraph {
  const graph: ComfyGraph = {};
  graph[ID.checkpoint] = {
    class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: models.checkpoint }, _meta: { title: 'Load Checkpoint' },
  };
  let model: [string, number] = [ID.checkpoint, 0];
  let clip: [string, number] = [ID.checkpoint, 1];
  models.loras.forEach((lora, i) => {
    const id = String(FIRST_LORA_ID + i);
    graph[id] = {
      class_type: 'LoraLoader',
      inputs: { model, clip, lora_name: lora.name, strength_model: lora.weight, strength_clip: lora.weight },
      _meta: { title: `LoRA ${lora.name}` },
    };
    model = [id, 0];
    clip = [id, 1];
  });
  graph[ID.positive] = {
    class_type: 'CLIPTextEncode', inputs: { text: params.positive_prompt ?? '', clip }, _meta: { title: 'Positive prompt' },
  };
  graph[ID.negative] = {
    class_type: 'CLIPTextEncode', inputs: { text: params.negative_prompt ?? '', clip }, _meta: { title: 'Negative prompt' },
  };
  graph[ID.latent] = {
    class_type: 'EmptyLatentImage',
    inputs: {
      width: numberOr(params.width, DEFAULTS.width),
      height: numberOr(params.height, DEFAULTS.height),
      batch_size: numberOr(params.batch_size, DEFAULTS.batch) * numberOr(params.n_iter, 1),
    },
    _meta: { title: 'Empty Latent Image' },
  };
  const { sampler_name, scheduler } = mapSampler(params.sampler_name, params.scheduler);
  graph[ID.sampler] = {
    class_type: 'KSampler',
    inputs: {
      seed,
      steps: numberOr(params.steps, DEFAULTS.steps),
      cfg: numberOr(params.cfg_scale, DEFAULTS.cfg),
      sampler_name,
      scheduler,
      denoise: 1,
      model,
      positive: [ID.positive, 0],
      negative: [ID.negative, 0],
      latent_image: [ID.latent, 0],
    },
    _meta: { title: 'KSampler' },
  };
  let vae: [string, number] = [ID.checkpoint, 2];
  if (models.vae) {
    graph[ID.vae] = { class_type: 'VAELoader', inputs: { vae_name: models.vae }, _meta: { title: 'Load VAE' } };
    vae = [ID.vae, 0];
  }
  graph[ID.decode] = { class_type: 'VAEDecode', inputs: { samples: [ID.sampler, 0], vae }, _meta: { title: 'VAE Decode' } };
  graph[ID.save] = {
    class_type: 'SaveImage', inputs: { images: [ID.decode, 0], filename_prefix: 'StableQueue' }, _meta: { title: 'Save Image' },
  };
  return { graph, outputNode: ID.save, samplerNode: ID.sampler };
}
