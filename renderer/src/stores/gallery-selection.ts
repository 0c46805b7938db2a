import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { GalleryBulkRequest } from '../../../shared/images.ts';
import { filtersToFilter } from '../lib/gallery-filters.ts';
import { useGallery } from './gallery.ts';

/**
 * Which gallery images are selected for a bulk action: picked ones (click, shift-click for
 * a range), or every image the filters match ("select all matching", which may be far
 * more than are loaded). A bulk action names its images the same way: ids, or the filter.
 */
export const useGallerySelection = defineStore('gallery-selection', () => {
  const gallery = useGallery();
  /** Replaced on every change, so a tile's `has` check is one cheap reactive read. */
  const ids = shallowRef<ReadonlySet<number>>(new Set());
  const allMatching = ref(false);
  /** Selecting mode: a click on a tile selects instead of opening the viewer. */
  const active = ref(false);
  let anchor: number | null = null;

  const count = computed(() => (allMatching.value ? gallery.total : ids.value.size));

  function isSelected(id: number): boolean {
    return allMatching.value || ids.value.has(id);
  }

  /** A click on a tile: toggles it, or with shift selects the range from the last click. */
  function toggle(index: number, range = false): void {
    const list = gallery.images;
    const item = list[index];
    if (!item) return;
    active.value = true;
    if (allMatching.value) {
      // Narrowing "all matching" down: start from what is loaded, minus this one.
      allMatching.value = false;
      ids.value = new Set(list.map((i) => i.id).filter((id) => id !== item.id));
      anchor = index;
      return;
    }
    const next = new Set(ids.value);
    if (range && anchor !== null && list[anchor]) {
      const [a, b] = anchor < index ? [anchor, index] : [index, anchor];
      for (let i = a; i <= b; i++) next.add(list[i]!.id);
    } else if (next.has(item.id)) {
      next.delete(item.id);
    } else {
      next.add(item.id);
    }
    anchor = index;
    ids.value = next;
  }

  function selectAllMatching(): void {
    active.value = true;
    allMatching.value = true;
  }

  function clear(): void {
    ids.value = new Set();
    allMatching.value = false;
    anchor = null;
  }

  function exit(): void {
    clear();
    active.value = false;
  }

  /** How a bulk request names the selected images. */
  function target(): Pick<GalleryBulkRequest, 'ids' | 'filter'> {
    return allMatching.value ? { filter: filtersToFilter(gallery.filters) } : { ids: [...ids.value] };
  }

  return { ids, allMatching, active, count, isSelected, toggle, selectAllMatching, clear, exit, target };
});
