import type { ImageLora } from '../../../../shared/images.ts';

/** Which tool wrote an image's metadata. */
export type MetadataTool = 'a1111' | 'comfyui' | 'invokeai' | 'swarmui' | 'unknown';

/**
 * The generation fields read from an image file's own metadata, whichever tool wrote it.
 * `settings` holds the same in the Generate form's shape (GenerationParams), so "use
 * these settings" works for any image.
 */
export interface ImageMetadata {
  tool: MetadataTool;
  positive_prompt: string;
  negative_prompt: string | null;
  seed: number | null;
  sampler: string | null;
  scheduler: string | null;
  steps: number | null;
  cfg_scale: number | null;
  width: number | null;
  height: number | null;
  checkpoint: string | null;
  checkpoint_hash: string | null;
  loras: ImageLora[];
  /** The A1111 infotext as written, when there is one. */
  infotext: string | null;
  /** Fields the Generate form takes beyond the columns above (vae, denoise, distilled cfg…). */
  extra: Record<string, unknown>;
}

export const EMPTY_METADATA: ImageMetadata = {
  tool: 'unknown', positive_prompt: '', negative_prompt: null, seed: null, sampler: null, scheduler: null, steps: null,
  cfg_scale: null, width: null, height: null, checkpoint: null, checkpoint_hash: null, loras: [], infotext: null, extra: {},
};

/** A finite number from a metadata value (a string in infotext, a number in JSON), else null. */
export function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function integerOrNull(value: unknown): number | null {
  const n = numberOrNull(value);
  return n === null ? null : Math.round(n);
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
