import type { GalleryImage } from '../../../shared/images.ts';
import type { JobImage } from '../../../shared/jobs.ts';
import type { ImageRow } from './gallery-store.ts';

/** Where an image's bytes and thumbnail are served: by database id, never by a path. */
export function imageUrls(id: number): Pick<JobImage, 'preview_url' | 'download_url' | 'thumbnail_url'> {
  return {
    preview_url: `/api/v1/images/${id}/download`,
    download_url: `/api/v1/images/${id}/download`,
    thumbnail_url: `/api/v1/images/${id}/thumbnail`,
  };
}

/** A gallery row in the API's shape, and the opaque keyset cursor the gallery pages with. */
export function toGalleryImage(row: ImageRow): GalleryImage {
  const { download_url, thumbnail_url } = imageUrls(row.id);
  return {
    id: row.id, job_id: row.job_id, source_id: null, source_path: null, index: row.idx, kind: row.kind, server_alias: row.server_alias,
    app_type: row.app_type, checkpoint: row.checkpoint, checkpoint_hash: null, positive_prompt: row.positive_prompt, negative_prompt: null,
    seed: row.seed, sampler: null, scheduler: null, steps: null, cfg_scale: null, width: row.width, height: row.height, loras: [],
    bytes: row.bytes, created_at: row.created_at, infotext: row.infotext, rating: 0, favourite: false, note: null, collection_ids: [],
    settings: {}, filename: row.file_name, download_url, thumbnail_url,
  };
}

/** Keyset cursor over (created_at DESC, id DESC): stable and fast however deep the scroll. */
export function encodeCursor(row: Pick<ImageRow, 'created_at' | 'id'>): string {
  return Buffer.from(`${row.created_at}|${row.id}`).toString('base64url');
}

/** The position a cursor names, or null when it is not one this server issued. */
export function decodeCursor(cursor: string): { createdAt: string; id: number } | null {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !/^\d+$/.test(id ?? '')) return null;
  return { createdAt, id: Number(id) };
}
