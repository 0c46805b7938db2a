import type { GalleryImage, ImageLora } from '../../../shared/images.ts';
import type { JobImage } from '../../../shared/jobs.ts';
import type { ImageExtras, ImageRow } from './gallery-store.ts';

/** Where an image's bytes and thumbnail are served: by database id, never by a path. */
export function imageUrls(id: number): Pick<JobImage, 'preview_url' | 'download_url' | 'thumbnail_url'> {
  return {
    preview_url: `/api/v1/images/${id}/download`,
    download_url: `/api/v1/images/${id}/download`,
    thumbnail_url: `/api/v1/images/${id}/thumbnail`,
  };
}

/**
 * The Generate form's fields for an image ("use these settings", "send to img2img"),
 * from what the gallery read: the job request's shape, so any image, imported or not,
 * fills the form the same way. A1111 prompts keep their `<lora:…>` tags (they apply the
 * LoRAs), so `loras` is only given for prompts without them.
 */
export function generateSettings(row: ImageRow, loras: readonly ImageLora[]): Record<string, unknown> {
  const out: Record<string, unknown> = { positive_prompt: row.positive_prompt };
  const put = (key: string, value: unknown) => {
    if (value !== null && value !== undefined && value !== '') out[key] = value;
  };
  put('negative_prompt', row.negative_prompt);
  put('checkpoint_name', row.checkpoint);
  put('seed', row.seed);
  put('steps', row.steps);
  put('cfg_scale', row.cfg_scale);
  put('sampler_name', row.sampler);
  put('scheduler', row.scheduler);
  put('width', row.width);
  put('height', row.height);
  if (loras.length && !/<(lora|lyco):/i.test(row.positive_prompt)) out.loras = loras.map((l) => ({ name: l.name, weight: l.weight }));
  if (row.settings_json) {
    try {
      Object.assign(out, JSON.parse(row.settings_json));
    } catch {
      // Extras are a convenience.
    }
  }
  return out;
}

/** A gallery row in the API's shape. */
export function toGalleryImage(row: ImageRow, extras?: ImageExtras): GalleryImage {
  const { download_url, thumbnail_url } = imageUrls(row.id);
  const loras = extras?.loras.get(row.id) ?? [];
  return {
    id: row.id, job_id: row.job_id, source_id: row.source_id, source_path: row.source_id !== null ? row.file_path : null,
    index: row.idx, kind: row.kind, server_alias: row.server_alias, app_type: row.app_type, checkpoint: row.checkpoint,
    checkpoint_hash: row.checkpoint_hash, positive_prompt: row.positive_prompt, negative_prompt: row.negative_prompt,
    seed: row.seed, sampler: row.sampler, scheduler: row.scheduler, steps: row.steps, cfg_scale: row.cfg_scale,
    width: row.width, height: row.height, loras, bytes: row.bytes, created_at: row.created_at, infotext: row.infotext,
    rating: row.rating, favourite: row.favourite === 1, note: row.note, collection_ids: extras?.collections.get(row.id) ?? [],
    settings: generateSettings(row, loras), filename: row.file_name, download_url, thumbnail_url,
  };
}
