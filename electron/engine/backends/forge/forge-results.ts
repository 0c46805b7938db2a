/**
 * Which images of a Forge / A1111 answer are the job's results. The answer's `images` is
 * `[grid?] + results + extra_images`: with `save_images` and `return_grid` a grid comes
 * first (`index_of_first_image` = 1) and Forge appends extension images such as
 * ControlNet's detected maps. `infotexts` has one entry per grid/result and none for the
 * extras; `all_seeds` one per planned result, so an answer with fewer results than seeds
 * was stopped early (interrupted here or from the server's own UI).
 */
import { BackendError, type GeneratedImage } from '../types.ts';
import { decodeBase64Image } from '../image-bytes.ts';
import type { ForgeInfo } from './infotext.ts';

export interface SplitImages {
  results: GeneratedImage[];
  /** results planned (all_seeds), or null when the answer does not say */
  expected: number | null;
  /** the grid images (kind 'grid') and extension images such as detected maps (kind 'control_map'), in answer order */
  extras: GeneratedImage[];
}

export function splitForgeImages(encoded: unknown[], info: ForgeInfo, what: string): SplitImages {
  const first = typeof info.index_of_first_image === 'number' && info.index_of_first_image > 0 ? info.index_of_first_image : 0;
  const seeds = Array.isArray(info.all_seeds) ? info.all_seeds : null;
  const infotexts = Array.isArray(info.infotexts) ? info.infotexts : null;
  // Results end where the infotexts end (extras have none), and never beyond the planned count.
  let end = infotexts ? Math.min(infotexts.length, encoded.length) : encoded.length;
  if (seeds) end = Math.min(end, first + seeds.length);
  const decode = (i: number) => {
    const data = decodeBase64Image(encoded[i]);
    if (!data) throw new BackendError('transient', `${what}: image ${i} is not valid base64 image data`);
    return data;
  };
  const results: GeneratedImage[] = [];
  for (let i = first; i < end; i++) {
    const seed = seeds?.[i - first];
    results.push({
      data: decode(i),
      seed: typeof seed === 'number' ? seed : (i === first && typeof info.seed === 'number' ? info.seed : null),
      infotext: typeof infotexts?.[i] === 'string' ? infotexts[i] : null,
    });
  }
  const extras: GeneratedImage[] = [];
  for (let i = 0; i < Math.min(first, encoded.length); i++) {
    extras.push({ data: decode(i), seed: null, infotext: typeof infotexts?.[i] === 'string' ? infotexts[i] : null, kind: 'grid' });
  }
  for (let i = Math.max(end, first); i < encoded.length; i++) extras.push({ data: decode(i), seed: null, infotext: null, kind: 'control_map' });
  return { results, expected: seeds ? seeds.length : null, extras };
}
