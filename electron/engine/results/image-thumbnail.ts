/**
 * A stored image's thumbnail for callers inside the process (the desktop shell's job
 * notifications): the same cached WebP the thumbnail route serves, without going out and
 * back in over HTTP with a launch token.
 */
import fs from 'node:fs';
import type { GalleryService } from '../gallery/gallery-service.ts';
import type { GalleryStore } from '../gallery/gallery-store.ts';
import type { ThumbnailCache } from './thumbnails.ts';

export interface ImageThumbnailSources {
  gallery: GalleryStore;
  galleryService: GalleryService;
  thumbs: ThumbnailCache;
}

/** The WebP thumbnail, or null when the image id is unknown, its file is gone or unreadable. */
export async function imageThumbnail(sources: ImageThumbnailSources, imageId: number): Promise<Buffer | null> {
  if (!Number.isSafeInteger(imageId) || imageId < 1) return null;
  const row = sources.gallery.find(imageId);
  if (!row || row.state === 'hidden') return null;
  try {
    const file = sources.galleryService.currentFileOf(row);
    if (!file || !fs.existsSync(file)) return null;
    return await sources.thumbs.get(imageId, file);
  } catch {
    return null;
  }
}
