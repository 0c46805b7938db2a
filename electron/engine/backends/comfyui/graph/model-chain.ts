import type { ComfyGraph } from '../workflow.ts';
import { linkedNode, MAX_DEPTH } from './follow-links.ts';
import { numberAt, stringAt } from './literal-values.ts';

/**
 * The models behind a sampler's MODEL input: walking up the chain collects the LoRAs
 * applied on the way (LoraLoader, LoraLoaderModelOnly, rgthree's Power Lora Loader)
 * and ends at the loader: a checkpoint (CheckpointLoaderSimple…) or a diffusion model
 * alone (UNETLoader, GGUF). Model patches between (ModelSamplingFlux, FreeU…) are
 * passed through by their `model` input.
 */

export interface LoraUse {
  name: string;
  strength_model: number | null;
  strength_clip: number | null;
}

export interface ModelReading {
  checkpoint: string | null;
  /** A diffusion model loaded without its checkpoint (Flux, SD3.5, video models). */
  unet: string | null;
  /** In the order they are applied, nearest the loader first. */
  loras: LoraUse[];
}

const CHECKPOINT_LOADERS: Record<string, string> = {
  CheckpointLoaderSimple: 'ckpt_name',
  CheckpointLoader: 'ckpt_name',
  ImageOnlyCheckpointLoader: 'ckpt_name',
  unCLIPCheckpointLoader: 'ckpt_name',
  'CheckpointLoader|pysssss': 'ckpt_name',
  'Efficient Loader': 'ckpt_name',
};

const UNET_LOADERS: Record<string, string> = {
  UNETLoader: 'unet_name',
  UnetLoaderGGUF: 'unet_name',
  UnetLoaderGGUFAdvanced: 'unet_name',
  DiffusionModelLoaderKJ: 'model_name',
};

/** Where the MODEL comes from in a node that patches it, by input name. */
const MODEL_INPUTS = ['model', 'base_model', 'model1'];

/** rgthree's Power Lora Loader keeps each LoRA as `lora_N: {on, lora, strength, strengthTwo?}`. */
function powerLoras(inputs: Record<string, unknown>): LoraUse[] {
  const out: LoraUse[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    if (!/^lora_\d+$/.test(key) || !value || typeof value !== 'object') continue;
    const entry = value as { on?: unknown; lora?: unknown; strength?: unknown; strengthTwo?: unknown };
    if (entry.on === false || typeof entry.lora !== 'string' || entry.lora === 'None') continue;
    const strength = typeof entry.strength === 'number' ? entry.strength : null;
    out.push({ name: entry.lora, strength_model: strength, strength_clip: typeof entry.strengthTwo === 'number' ? entry.strengthTwo : strength });
  }
  return out;
}

export function readModelChain(graph: ComfyGraph, value: unknown): ModelReading {
  const reading: ModelReading = { checkpoint: null, unet: null, loras: [] };
  const applied: LoraUse[][] = [];
  let link = value;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const source = linkedNode(graph, link);
    if (!source) break;
    const { node } = source;
    const inputs = node.inputs;
    if (node.class_type in CHECKPOINT_LOADERS) {
      reading.checkpoint = stringAt(graph, inputs[CHECKPOINT_LOADERS[node.class_type]]);
      break;
    }
    if (node.class_type in UNET_LOADERS) {
      reading.unet = stringAt(graph, inputs[UNET_LOADERS[node.class_type]]);
      break;
    }
    if (node.class_type === 'LoraLoader' || node.class_type === 'LoraLoaderModelOnly') {
      const name = stringAt(graph, inputs.lora_name);
      if (name) {
        const strengthModel = numberAt(graph, inputs.strength_model);
        const strengthClip = node.class_type === 'LoraLoader' ? numberAt(graph, inputs.strength_clip) : null;
        // A LoRA at strength 0 on both sides does nothing: it is not shown.
        if (strengthModel !== 0 || (strengthClip !== null && strengthClip !== 0)) applied.push([{ name, strength_model: strengthModel, strength_clip: strengthClip }]);
      }
    } else {
      const power = powerLoras(inputs);
      if (power.length) applied.push(power);
    }
    const next = MODEL_INPUTS.find((name) => name in inputs);
    if (!next) break;
    link = inputs[next];
  }
  reading.loras = applied.reverse().flat();
  return reading;
}

/** Text-encoder file names behind a CLIP input (CLIPLoader, DualCLIPLoader, TripleCLIPLoader), through LoRA and CLIPSetLastLayer. */
export function readClipNames(graph: ComfyGraph, value: unknown): string[] {
  let link = value;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const source = linkedNode(graph, link);
    if (!source) return [];
    const inputs = source.node.inputs;
    if (/CLIPLoader/.test(source.node.class_type)) {
      return Object.keys(inputs).filter((k) => /^clip_name\d*$/.test(k)).sort()
        .map((k) => stringAt(graph, inputs[k])).filter((n): n is string => !!n);
    }
    if (!('clip' in inputs)) return [];
    link = inputs.clip;
  }
  return [];
}
