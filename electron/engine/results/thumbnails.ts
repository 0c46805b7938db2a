import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { isDiskFullError } from '../ops/disk-space.ts';
import { writeFileAtomic } from './atomic-write.ts';

export const THUMBNAIL_SIZE = 384;

/** WebP thumbnails made on first request and cached by image id under the data dir. */
export class ThumbnailCache {
  readonly #dir: string;
  readonly #inflight = new Map<number, Promise<Buffer>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async get(imageId: number, source: string): Promise<Buffer> {
    const file = path.join(this.#dir, `${imageId}.webp`);
    try {
      return await fs.readFile(file);
    } catch {
      // Not cached yet.
    }
    let pending = this.#inflight.get(imageId);
    if (!pending) {
      pending = (async () => {
        const data = await sharp(source).resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 78 }).toBuffer();
        // The cache is a convenience: with a full disk the thumbnail is still served, just not kept.
        await writeFileAtomic(file, data).catch((error: unknown) => {
          if (!isDiskFullError(error)) throw error;
        });
        return data;
      })().finally(() => this.#inflight.delete(imageId));
      this.#inflight.set(imageId, pending);
    }
    return pending;
  }

  async remove(imageId: number): Promise<void> {
    await fs.rm(path.join(this.#dir, `${imageId}.webp`), { force: true });
  }
}
