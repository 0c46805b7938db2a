import type { GalleryBulkAction, GalleryBulkRequest, GalleryImage } from '../../../shared/images.ts';
import { useApi } from '../api/client.ts';
import { galleryApi, saveBlob } from '../api/gallery.ts';
import { filtersToQuery } from '../lib/gallery-filters.ts';
import { buildRequest, defaultForm, formFromParams } from '../stores/generate.ts';
import { useGallery } from '../stores/gallery.ts';
import { useGalleryCollections } from '../stores/gallery-collections.ts';
import { useGallerySelection } from '../stores/gallery-selection.ts';
import { useServers } from '../stores/servers.ts';
import { useToasts } from '../stores/toasts.ts';

/** The engine's cap on one zip. */
export const ZIP_MAX = 10_000;
/** More than this many new jobs at once is almost always a mistake. */
export const RESUBMIT_MAX = 100;

/** What the current selection's images are: the loaded ones among them (all, when "all matching"). */
export function selectedLoaded(images: readonly GalleryImage[], isSelected: (id: number) => boolean): GalleryImage[] {
  return images.filter((i) => isSelected(i.id));
}

/**
 * The bulk actions on the gallery selection: rate, favourite, collections, delete (to the
 * trash, with undo), download as a zip, and queue new jobs with the images' settings.
 * Loaded images are updated in place, so the grid keeps its scroll position.
 */
export function useGalleryBulk() {
  const api = useApi();
  const gapi = galleryApi();
  const gallery = useGallery();
  const selection = useGallerySelection();
  const collections = useGalleryCollections();
  const servers = useServers();
  const toasts = useToasts();

  async function run(action: GalleryBulkAction, params: GalleryBulkRequest['params'], change: (img: GalleryImage) => GalleryImage, done: string) {
    try {
      const target = selection.target();
      const res = await gallery.changeImages(target.ids ?? null, () => gapi.bulk({ ...target, action, params }), (r) => r.changed === 0);
      gallery.images = gallery.images.map((i) => (selection.isSelected(i.id) ? change(i) : i));
      toasts.success(done, `${res.changed.toLocaleString()} of ${res.matched.toLocaleString()} image${res.matched === 1 ? '' : 's'} changed.`);
      void gallery.loadFacets();
    } catch (err) {
      toasts.error('Could not change the selected images', err);
    }
  }

  const rate = (rating: number) => run('rate', { rating }, (i) => ({ ...i, rating }), rating ? `Rated ${'★'.repeat(rating)}` : 'Rating cleared');
  const favourite = (on: boolean) => run(on ? 'favourite' : 'unfavourite', undefined, (i) => ({ ...i, favourite: on }), on ? 'Added to favourites' : 'Removed from favourites');
  async function addToCollection(collectionId: number) {
    await run('add_to_collection', { collection_id: collectionId }, (i) => ({ ...i, collection_ids: [...new Set([...i.collection_ids, collectionId])] }), `Added to “${collections.nameOf(collectionId)}”`);
    void collections.load();
  }

  /** Deleting sends StableQueue's files to the trash and hides outside ones: Undo brings both back. */
  async function remove(deleteFiles: boolean) {
    const target = selection.target();
    try {
      const res = await gapi.bulk({ ...target, action: 'delete', params: deleteFiles ? { delete_files: true } : undefined });
      const ids = target.ids;
      selection.exit();
      if (ids) gallery.removeManyLocal(ids);
      else void gallery.loadFirst();
      void gallery.loadFacets();
      const n = res.changed;
      toasts.push({
        kind: 'success',
        title: `${n.toLocaleString()} image${n === 1 ? '' : 's'} moved to the trash`,
        message: deleteFiles ? 'Files from other folders were deleted and cannot be restored.' : 'Restore them from the trash for 30 days.',
        timeout: 10_000,
        action: ids && !deleteFiles ? { label: 'Undo', run: () => void undoDelete(ids) } : undefined,
      });
    } catch (err) {
      toasts.error('Could not delete the selected images', err);
    }
  }
  async function undoDelete(ids: number[]) {
    const results = await Promise.allSettled(ids.map((id) => gapi.restore(id)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    void gallery.loadFirst();
    void gallery.loadFacets();
    if (failed) toasts.error(`${failed} image${failed === 1 ? '' : 's'} could not be restored`);
    else toasts.success('Restored');
  }

  /** The selected ids; for "all matching", read page by page (up to the zip cap). */
  async function selectedIds(max: number): Promise<number[]> {
    const t = selection.target();
    if (t.ids) return t.ids.slice(0, max);
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.galleryImages({ ...filtersToQuery(gallery.filters), limit: 200, cursor: cursor ?? undefined });
      ids.push(...page.images.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor && ids.length < max);
    return ids.slice(0, max);
  }

  async function downloadZip() {
    if (selection.count > ZIP_MAX) {
      toasts.error(`Select at most ${ZIP_MAX.toLocaleString()} images for one zip`);
      return;
    }
    const id = toasts.push({ kind: 'info', title: 'Preparing the zip…', timeout: 0 });
    try {
      const ids = await selectedIds(ZIP_MAX);
      const { blob, filename } = await gapi.downloadZip(ids);
      saveBlob(blob, filename ?? `stablequeue-${ids.length}-images.zip`);
      toasts.success('Zip downloaded', `${ids.length.toLocaleString()} original image${ids.length === 1 ? '' : 's'}.`);
    } catch (err) {
      toasts.error('Could not download the zip', err);
    } finally {
      toasts.dismiss(id);
    }
  }

  /** One new job per selected image, with that image's settings (its own server when it still exists). */
  async function sendToNewJobs() {
    const imgs = selectedLoaded(gallery.images, selection.isSelected).slice(0, RESUBMIT_MAX);
    let queued = 0;
    let failed: unknown = null;
    for (const img of imgs) {
      const target = img.server_alias && servers.list.some((s) => s.alias === img.server_alias) ? img.server_alias : undefined;
      const form = formFromParams(img.settings, defaultForm(), { appType: img.app_type === 'comfyui' ? 'comfyui' : 'forge', target, seed: img.seed });
      try {
        await api.generate(buildRequest(form));
        queued++;
      } catch (err) {
        failed = err;
      }
    }
    if (queued) toasts.success(`${queued} job${queued === 1 ? '' : 's'} queued`, 'Each with the settings of its image.');
    if (failed) toasts.error(`${imgs.length - queued} job${imgs.length - queued === 1 ? '' : 's'} could not be queued`, failed);
  }

  return { rate, favourite, addToCollection, remove, downloadZip, sendToNewJobs };
}
