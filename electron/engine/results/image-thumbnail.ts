/**
 * A stored image's thumbnail for callers inside the process (the desktop shell's job
 * notifications): the same cached WebP the thumbnail route serves, without going out and
 * back in over HTTP with a launch token.
 */
import fs from 'node:fs';
import type { ThumbnailCache } from './thumbnails.ts';

export interface ImageThumbnailSources {
  /** Where an image's bytes are now (the gallery knows: outputs, a gallery source, or the trash). */
  galleryService: { imageFile(imageId: number): string | null };
  thumbs: ThumbnailCache;
}

/** The WebP thumbnail, or null when the image id is unknown, its file is gone or unreadable. */
export async function imageThumbnail(sources: ImageThumbnailSources, imageId: number): Promise<Buffer | null> {
  if (!Number.isSafeInteger(imageId) || imageId < 1) return null;
  try {
    const file = sources.galleryService.imageFile(imageId);
    if (!file || !fs.existsSync(file)) return null;
    return await sources.thumbs.get(imageId, file);
  } catch {
    return null;
  }
}
