/**
 * A stored image's thumbnail for callers inside the process (the desktop shell's job
 * notifications): the same cached WebP the thumbnail route serves, without going out and
 * back in over HTTP with a launch token.
 */
import fs from 'node:fs';
import type { Db } from '../db/connection.ts';
import type { ImageStore } from './image-store.ts';
import type { ThumbnailCache } from './thumbnails.ts';

export interface ImageThumbnailSources {
  db: Db;
  images: ImageStore;
  thumbs: ThumbnailCache;
}

/** The WebP thumbnail, or null when the image id is unknown, its file is gone or unreadable. */
export async function imageThumbnail(sources: ImageThumbnailSources, imageId: number): Promise<Buffer | null> {
  if (!Number.isSafeInteger(imageId) || imageId < 1) return null;
  const row = sources.db.prepare<[number], { file_path: string }>('SELECT file_path FROM images WHERE id = ?').get(imageId);
  if (!row) return null;
  try {
    const file = sources.images.absolute(row.file_path);
    if (!fs.existsSync(file)) return null;
    return await sources.thumbs.get(imageId, file);
  } catch {
    return null;
  }
}
