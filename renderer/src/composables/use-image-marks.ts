import type { GalleryImage, ImagePatch } from '../../../shared/images.ts';
import { galleryApi } from '../api/gallery.ts';
import { useGallery } from '../stores/gallery.ts';
import { useToasts } from '../stores/toasts.ts';
import { optimistic } from './optimistic.ts';

/** The newest change asked for each image in this tab (the viewer and the tiles share it). */
const newest = new Map<number, number>();
let changes = 0;

/**
 * Rating, favourite and note of one image, from the viewer or a tile: shown at once,
 * saved in the background, put back (with a toast) if the engine refuses. Only the newest
 * change of an image decides what it shows: an older answer or failure is left alone.
 */
export function useImageMarks(onChange?: (img: GalleryImage) => void) {
  const api = galleryApi();
  const gallery = useGallery();
  const toasts = useToasts();
  /** The gallery's loaded copy, and the caller's own list when it keeps one (a job's images). */
  const replace = (img: GalleryImage) => {
    gallery.replaceLocal(img);
    onChange?.(img);
  };

  async function patch(img: GalleryImage, change: ImagePatch, what: string): Promise<void> {
    const mine = ++changes;
    newest.set(img.id, mine);
    // Rated 3 then 4 at once: the answer (or the failure) of the 3 must not undo the 4 shown.
    const stillNewest = () => newest.get(img.id) === mine;
    try {
      await optimistic(
        () => {
          replace({ ...img, ...change } as GalleryImage);
          return () => { if (stillNewest()) replace(img); };
        },
        async () => {
          const saved = await gallery.changeImages([img.id], () => api.patchImage(img.id, change));
          if (stillNewest()) replace(saved);
        },
      );
    } catch (err) {
      toasts.error(`Could not save the ${what}`, err);
    }
  }

  return {
    /** 1–5 stars; 0 clears. */
    rate: (img: GalleryImage, rating: number) => (rating === img.rating ? Promise.resolve() : patch(img, { rating }, 'rating')),
    toggleFavourite: (img: GalleryImage) => patch(img, { favourite: !img.favourite }, 'favourite'),
    setNote: (img: GalleryImage, note: string) => {
      const value = note.trim() || null;
      return value === img.note ? Promise.resolve() : patch(img, { note: value }, 'note');
    },
  };
}
