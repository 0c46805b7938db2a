import type { ComfyGraph } from '../workflow.ts';
import { linkedNode, MAX_DEPTH } from './follow-links.ts';
import { numberAt, stringAt } from './literal-values.ts';
import { isSampler } from './sampler-settings.ts';

/**
 * Where a sampler's starting latent comes from: an empty latent of some size
 * (EmptyLatentImage, EmptySD3LatentImage, the video ones…), an encoded image (img2img:
 * VAEEncode of LoadImage, possibly scaled on the way), or an earlier sampler (refiner
 * and hires passes). Upscale / batch / mask nodes between are passed through.
 */

export interface LatentSource {
  width: number | null;
  height: number | null;
  batch_size: number | null;
  /** The input image's name (LoadImage) for img2img and inpainting. */
  init_image: string | null;
  /** An earlier sampler this latent continues from. */
  from_sampler: string | null;
}

/** Inputs that carry a latent or the image to encode into one. */
const LATENT_INPUTS = ['samples', 'latent', 'latent_image', 'pixels', 'image', 'images', 'samples_to', 'source'];

export function readLatentSource(graph: ComfyGraph, value: unknown): LatentSource {
  const found: LatentSource = { width: null, height: null, batch_size: null, init_image: null, from_sampler: null };
  let link = value;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const source = linkedNode(graph, link);
    if (!source) break;
    const { id, node } = source;
    if (isSampler(node)) {
      found.from_sampler = id;
      break;
    }
    const inputs = node.inputs;
    // The first explicit size seen from the sampler is the one it works at.
    if (found.width === null && 'width' in inputs && 'height' in inputs) {
      found.width = numberAt(graph, inputs.width);
      found.height = numberAt(graph, inputs.height);
    }
    if (found.batch_size === null && 'batch_size' in inputs) found.batch_size = numberAt(graph, inputs.batch_size);
    if (/^LoadImage/.test(node.class_type) || node.class_type === 'LoadImageMask') {
      found.init_image = stringAt(graph, inputs.image);
      break;
    }
    const next = LATENT_INPUTS.find((name) => name in inputs && linkedNode(graph, inputs[name]) !== null);
    if (!next) break;
    link = inputs[next];
  }
  return found;
}
