import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { extensionForMime, imageMime } from '../backends/image-bytes.ts';
import type { ImageKind } from '../../../shared/images.ts';
import type { GeneratedImage } from '../backends/types.ts';
import { TEMP_SUFFIX, writeFileAtomic } from './atomic-write.ts';
import { readPngText } from './png-text.ts';

/** An image file written for a job, before it has a row. */
export interface ImageRecord {
  idx: number;
  file_path: string;
  mime: string;
  bytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  seed: number | null;
  infotext: string | null;
  /** Absent: a result (rebuilt or imported rows, which cannot tell). */
  kind?: ImageKind;
  /** A batch's contact sheet: the batch it belongs to. */
  batch_id?: string | null;
}

/**
 * Image files under the outputs dir. Names are deterministic per job and index
 * (`YYYY-MM-DD/<job id>-<index>.png`), so a re-run after a crash overwrites instead of
 * leaving duplicates. Bytes are kept exactly as the backend sent them.
 */
export class ImageStore {
  readonly root: string;

  constructor(outputsDir: string) {
    this.root = outputsDir;
  }

  relativePathFor(jobId: string, index: number, mime: string, createdAt: Date): string {
    const day = createdAt.toISOString().slice(0, 10);
    return path.posix.join(day, `${jobId}-${String(index).padStart(3, '0')}.${extensionForMime(mime)}`);
  }

  absolute(relativePath: string): string {
    const full = path.resolve(this.root, relativePath);
    if (!full.startsWith(this.root + path.sep)) throw new Error('image path escapes the outputs dir');
    return full;
  }

  /**
   * Writes every image durably; returns the records to insert with the job's completion.
   * All or nothing: when one write fails (a full disk), the images already written for this
   * job are removed again, so no file is left without the row that would own it.
   */
  async save(jobId: string, images: GeneratedImage[], createdAt: Date): Promise<ImageRecord[]> {
    const records: ImageRecord[] = [];
    try {
      await this.#saveEach(jobId, images, createdAt, records);
    } catch (error) {
      await Promise.all(records.map((r) => this.remove(r.file_path).catch(() => {})));
      throw error;
    }
    return records;
  }

  async #saveEach(jobId: string, images: GeneratedImage[], createdAt: Date, records: ImageRecord[]): Promise<void> {
    for (const [idx, image] of images.entries()) {
      const mime = imageMime(image.data) ?? 'application/octet-stream';
      const relative = this.relativePathFor(jobId, idx, mime, createdAt);
      records.push({ idx, file_path: relative, mime, bytes: image.data.length, sha256: '', width: null, height: null, seed: image.seed, infotext: null });
      await writeFileAtomic(this.absolute(relative), image.data);
      let width: number | null = null;
      let height: number | null = null;
      try {
        const meta = await sharp(image.data).metadata();
        width = meta.width ?? null;
        height = meta.height ?? null;
      } catch {
        // Size is informative only.
      }
      const infotext = image.infotext ?? (mime === 'image/png' ? readPngText(image.data).parameters ?? null : null);
      records[records.length - 1] = {
        idx, file_path: relative, mime, bytes: image.data.length,
        sha256: createHash('sha256').update(image.data).digest('hex'),
        width, height, seed: image.seed, infotext, kind: image.kind ?? 'result',
      };
    }
  }

  async remove(relativePath: string): Promise<void> {
    await fs.rm(this.absolute(relativePath), { force: true });
  }

  /**
   * Startup sweep: removes our temp files, and image files of jobs that have no image
   * rows (written just before a crash); `hasRows(jobId)` tells which jobs own rows.
   */
  async sweep(hasRows: (jobId: string) => boolean): Promise<{ temps: number; orphans: number }> {
    let temps = 0;
    let orphans = 0;
    let days: string[];
    try {
      days = await fs.readdir(this.root);
    } catch {
      return { temps, orphans };
    }
    const ours = /^([0-9a-f-]{36})-\d{3}\.(png|jpg|webp)$/;
    for (const day of days) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
      const dir = path.join(this.root, day);
      for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
        if (name.endsWith(TEMP_SUFFIX)) {
          await fs.rm(path.join(dir, name), { force: true });
          temps++;
          continue;
        }
        const match = ours.exec(name);
        if (match && !hasRows(match[1])) {
          await fs.rm(path.join(dir, name), { force: true });
          orphans++;
        }
      }
    }
    return { temps, orphans };
  }
}
