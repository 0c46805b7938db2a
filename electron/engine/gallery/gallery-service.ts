import type { EventBus } from '../event-bus.ts';
import type { ImageStore } from '../results/image-store.ts';
import type { ThumbnailCache } from '../results/thumbnails.ts';
import type { GalleryStore, ImageRow } from './gallery-store.ts';

/** Gallery changes that touch both the database and the files: rows, image files, thumbnails and their event. */
export class GalleryService {
  readonly #store: GalleryStore;
  readonly #files: ImageStore;
  readonly #thumbs: ThumbnailCache;
  readonly #bus: EventBus;

  constructor(deps: { store: GalleryStore; files: ImageStore; thumbs: ThumbnailCache; bus: EventBus }) {
    this.#store = deps.store;
    this.#files = deps.files;
    this.#thumbs = deps.thumbs;
    this.#bus = deps.bus;
  }

  /** Deletes an image: row first, so a crash after it leaves an orphan file the sweeper removes, never a row without a file. */
  async remove(image: Pick<ImageRow, 'id' | 'file_path'>): Promise<void> {
    this.#store.remove(image.id);
    await this.#files.remove(image.file_path);
    await this.#thumbs.remove(image.id);
    this.#bus.emit({ type: 'image.deleted', image_id: image.id });
  }
}
