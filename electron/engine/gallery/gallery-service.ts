import fs from 'node:fs/promises';
import path from 'node:path';
import { isoAt, type Clock } from '../clock.ts';
import { DomainError } from '../domain-error.ts';
import type { EventBus } from '../event-bus.ts';
import type { ImageStore } from '../results/image-store.ts';
import type { ThumbnailCache } from '../results/thumbnails.ts';
import type { GalleryStore, ImageRow } from './gallery-store.ts';
import { moveFile } from './move-file.ts';
import type { SourceStore } from './source-store.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface GalleryServiceDeps {
  store: GalleryStore;
  files: ImageStore;
  thumbs: ThumbnailCache;
  bus: EventBus;
  sources: SourceStore;
  clock: Clock;
  /** Days a deleted image waits in the trash before it is purged. */
  trashDays: () => number;
}

/**
 * Gallery changes that touch both the database and the files: where an image's file
 * is, and deleting safely. A delete moves StableQueue's own file into the trash (a
 * folder inside the outputs dir, so it is a rename) and marks the row; undo moves it
 * back. An image indexed from an outside folder is only taken out of the gallery unless
 * deleting its file is asked for explicitly. After the retention the trash is purged.
 */
export class GalleryService {
  readonly #store: GalleryStore;
  readonly #files: ImageStore;
  readonly #thumbs: ThumbnailCache;
  readonly #bus: EventBus;
  readonly #sources: SourceStore;
  readonly #clock: Clock;
  readonly #trashDays: () => number;

  constructor(deps: GalleryServiceDeps) {
    this.#store = deps.store;
    this.#files = deps.files;
    this.#thumbs = deps.thumbs;
    this.#bus = deps.bus;
    this.#sources = deps.sources;
    this.#clock = deps.clock;
    this.#trashDays = deps.trashDays;
  }

  /** Where the trash keeps files: inside the outputs dir, which the output sweep never walks into. */
  get trashDir(): string {
    return path.join(this.#files.root, '.trash');
  }

  /** The image's file on disk (where it belongs, not where the trash keeps it), or null when its source is gone. */
  fileOf(row: Pick<ImageRow, 'source_id' | 'file_path'>): string | null {
    if (row.source_id === null) return this.#files.absolute(row.file_path);
    const source = this.#sources.find(row.source_id);
    if (!source) return null;
    const root = path.resolve(source.path);
    const full = path.resolve(root, row.file_path);
    return full.startsWith(root + path.sep) ? full : null;
  }

  /** Where the bytes of the image with this id are now; null for an unknown or hidden image. */
  imageFile(imageId: number): string | null {
    const row = this.#store.find(imageId);
    return row && row.state !== 'hidden' ? this.currentFileOf(row) : null;
  }

  /** Where the image's bytes are now: its file, or the trash's copy while deleted. */
  currentFileOf(row: ImageRow): string | null {
    if (row.trash_file) return path.join(this.trashDir, row.trash_file);
    return this.fileOf(row);
  }

  /**
   * Deletes an image into the trash. Own files are moved to the trash; an outside file is
   * moved only with `deleteFile`, else it stays where it is and only leaves the gallery.
   */
  async remove(image: ImageRow, options: { deleteFile?: boolean } = {}): Promise<void> {
    if (image.state !== 'visible') return;
    const moveIt = image.source_id === null || options.deleteFile === true;
    let trashFile: string | null = null;
    if (moveIt) {
      const from = this.fileOf(image);
      trashFile = `${image.id}-${image.file_name}`;
      try {
        if (from) await moveFile(from, path.join(this.trashDir, trashFile));
        else trashFile = null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        trashFile = null; // already gone from disk: the row still goes to the trash, to be purged
      }
    }
    this.#store.setState(image.id, 'trash', isoAt(this.#clock), trashFile);
    this.#bus.emit({ type: 'image.deleted', image_id: image.id });
  }

  /** Undo: the file back where it was and the row back in the gallery. */
  async restore(image: ImageRow): Promise<void> {
    if (image.state !== 'trash') throw new DomainError(404, 'not_in_trash', 'That image is not in the trash.');
    if (image.trash_file) {
      const to = this.fileOf(image);
      if (!to) throw new DomainError(409, 'source_missing', 'The folder this image came from is no longer a gallery source.');
      try {
        await moveFile(path.join(this.trashDir, image.trash_file), to);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new DomainError(409, 'file_exists', 'Another file now has this image\'s name; move it away first.');
        if (code !== 'ENOENT') throw error;
      }
    }
    this.#store.setState(image.id, 'visible', null, null);
  }

  /**
   * Removes a trashed image for good: its trash file and row. An outside file that was
   * only taken out of the gallery stays hidden (the row remembers it, so a rescan does not
   * bring it back).
   */
  async purge(image: ImageRow): Promise<void> {
    if (image.state !== 'trash') return;
    if (image.source_id !== null && image.trash_file === null) {
      this.#store.setState(image.id, 'hidden', image.deleted_at, null);
      return;
    }
    // The file goes before the row: a purge cut short leaves a row that the next purge finishes.
    if (image.trash_file) await fs.rm(path.join(this.trashDir, image.trash_file), { force: true });
    await this.#thumbs.remove(image.id);
    this.#store.remove(image.id);
  }

  /** Purges what has waited longer than the retention; returns how many. */
  async purgeExpired(): Promise<number> {
    const cutoff = new Date(this.#clock.now() - this.#trashDays() * DAY_MS).toISOString();
    let purged = 0;
    for (;;) {
      const due = this.#store.trashedBefore(cutoff);
      if (!due.length) return purged;
      for (const row of due) {
        await this.purge(row);
        purged++;
      }
    }
  }

  /** When the trash entry will be purged. */
  purgeAt(row: Pick<ImageRow, 'deleted_at'>): string {
    return new Date(Date.parse(row.deleted_at ?? isoAt(this.#clock)) + this.#trashDays() * DAY_MS).toISOString();
  }
}
