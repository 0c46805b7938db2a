import sharp from 'sharp';
import type { GenerationParams } from '../../../../shared/jobs.ts';
import { BackendError } from '../types.ts';
import { initImageSlot } from './graph/input-slots.ts';
import type { ComfyGraph } from './workflow.ts';

/** Puts a picture in the server's input folder and answers the name LoadImage takes. */
export type ImageUploader = (bytes: Buffer, fileName: string) => Promise<string>;

function bytesOf(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !value) throw new BackendError('permanent', `${what} is not an image (a base64 string or data: URL).`);
  const bytes = Buffer.from(value.replace(/^data:[^,]*,/, ''), 'base64');
  if (bytes.length === 0) throw new BackendError('permanent', `${what} is empty.`);
  return bytes;
}

/**
 * An img2img / inpaint job on a ComfyUI workflow: the job's init image goes to the server's
 * input folder and the LoadImage node the sampler's latent comes from is set to it. A
 * mask (white = repaint, as A1111 takes it) becomes the picture's alpha channel, which is
 * where LoadImage reads its MASK output from (transparent = repaint).
 */
export async function attachInitImage(graph: ComfyGraph, params: GenerationParams, upload: ImageUploader, jobId: string): Promise<void> {
  const first = Array.isArray(params.init_images) ? params.init_images[0] : undefined;
  if (first === undefined) return;
  const slot = initImageSlot(graph);
  if (!slot) {
    throw new BackendError('permanent', 'The job has an init image, but its workflow has no LoadImage node feeding the sampler (through VAEEncode) to take it.');
  }
  let bytes = bytesOf(first, 'init_images[0]');
  if (params.mask !== undefined && params.mask !== null) {
    const image = sharp(bytes);
    const { width, height } = await image.metadata();
    if (!width || !height) throw new BackendError('permanent', 'init_images[0] is not a picture the server could read.');
    const alpha = await sharp(bytesOf(params.mask, 'mask')).greyscale().negate().resize(width, height, { fit: 'fill' }).raw().toBuffer();
    // Raw RGB first: sharp would drop the joined channel too if removeAlpha ran in the same pipeline.
    const rgb = await sharp(bytes).removeAlpha().raw().toBuffer();
    bytes = await sharp(rgb, { raw: { width, height, channels: 3 } }).joinChannel(alpha, { raw: { width, height, channels: 1 } }).png().toBuffer();
  }
  graph[slot.node_id]!.inputs[slot.input] = await upload(bytes, `stablequeue-${jobId}.png`);
}
