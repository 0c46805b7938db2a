import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { EngineEvent } from '../../../shared/events.ts';
import type { GalleryImage, GalleryKindFilter } from '../../../shared/images.ts';
import { useApi } from '../api/client.ts';
import { useLive } from './live.ts';
import type { GalleryQuery } from '../api/types.ts';

export interface GalleryFilters {
  server: string;
  checkpoint: string;
  q: string;
  /** YYYY-MM-DD */
  from: string;
  /** YYYY-MM-DD, inclusive */
  to: string;
  /** '' = results only; grids and detected maps a job kept are shown only when asked for. */
  kind: '' | GalleryKindFilter;
}

export const emptyFilters = (): GalleryFilters => ({ server: '', checkpoint: '', q: '', from: '', to: '', kind: '' });

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function filtersToQuery(f: GalleryFilters): GalleryQuery {
  return {
    server: f.server || undefined,
    checkpoint: f.checkpoint || undefined,
    q: f.q.trim() || undefined,
    // The engine takes calendar days (YYYY-MM-DD, inclusive).
    from: DAY.test(f.from) ? f.from : undefined,
    to: DAY.test(f.to) ? f.to : undefined,
    kind: f.kind || undefined,
  };
}

export const useGallery = defineStore('gallery', () => {
  const api = useApi();
  const images = ref<GalleryImage[]>([]);
  const cursor = ref<string | null>(null);
  const total = ref(0);
  const filters = ref<GalleryFilters>(emptyFilters());
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<unknown>(null);
  const done = ref(false);
  /** New images exist that the loaded list does not show. */
  const stale = ref(false);
  const pageSize = ref(60);
  const facets = ref<{ servers: string[]; checkpoints: string[] }>({ servers: [], checkpoints: [] });
  let generation = 0;
  let inflight: Promise<void> | null = null;

  const hasFilters = computed(() => Object.values(filters.value).some((v) => v !== ''));

  /** Load the first page for the current filters (drops the old list). */
  async function loadFirst(): Promise<void> {
    const gen = ++generation;
    loading.value = true;
    error.value = null;
    done.value = false;
    try {
      const page = await api.galleryImages({ ...filtersToQuery(filters.value), limit: pageSize.value });
      if (gen !== generation) return;
      images.value = page.images;
      cursor.value = page.next_cursor;
      total.value = page.total;
      done.value = !page.next_cursor;
      loaded.value = true;
      stale.value = false;
    } catch (err) {
      if (gen === generation) error.value = err;
    } finally {
      if (gen === generation) {
        loading.value = false;
        inflight = null;
      }
    }
  }

  /** Next page by keyset cursor; concurrent calls share one request. */
  function loadMore(): Promise<void> {
    if (done.value || !cursor.value) return Promise.resolve();
    if (inflight) return inflight;
    const gen = generation;
    const after = cursor.value;
    loading.value = true;
    inflight = (async () => {
      try {
        const page = await api.galleryImages({ ...filtersToQuery(filters.value), limit: pageSize.value, cursor: after });
        if (gen !== generation) return;
        const known = new Set(images.value.map((i) => i.id));
        images.value = images.value.concat(page.images.filter((i) => !known.has(i.id)));
        cursor.value = page.next_cursor;
        total.value = page.total;
        done.value = !page.next_cursor;
        error.value = null;
      } catch (err) {
        if (gen === generation) error.value = err;
      } finally {
        if (gen === generation) {
          loading.value = false;
          inflight = null;
        }
      }
    })();
    return inflight;
  }

  async function loadFacets(): Promise<void> {
    try {
      facets.value = await api.galleryFacets();
    } catch {
      /* older engines: the filters fall back to what is loaded */
    }
  }

  function setFilters(patch: Partial<GalleryFilters>): Promise<void> {
    filters.value = { ...filters.value, ...patch };
    inflight = null;
    return loadFirst();
  }

  function resetFilters(): Promise<void> {
    filters.value = emptyFilters();
    inflight = null;
    return loadFirst();
  }

  function removeLocal(id: number): void {
    const before = images.value.length;
    images.value = images.value.filter((i) => i.id !== id);
    if (images.value.length < before) total.value = Math.max(0, total.value - 1);
  }

  async function remove(id: number): Promise<void> {
    await api.deleteImage(id);
    removeLocal(id);
  }

  function applyEvent(event: EngineEvent): void {
    if (event.type === 'image.deleted') removeLocal(event.image_id);
    else if (event.type === 'job.finished' && event.job.image_count > 0) stale.value = true;
  }

  // After a dropped connection the list may miss images: refetch when the gallery is next shown.
  const events = useLive();
  events.on(applyEvent);
  events.onResync(() => {
    if (loaded.value) stale.value = true;
  });

  return {
    images, cursor, total, filters, loading, loaded, error, done, stale, pageSize, hasFilters, facets,
    loadFirst, loadMore, loadFacets, setFilters, resetFilters, remove, removeLocal, applyEvent,
  };
});
