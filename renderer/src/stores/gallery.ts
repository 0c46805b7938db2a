import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { EngineEvent } from '../../../shared/events.ts';
import type { GalleryFacets, GalleryImage } from '../../../shared/images.ts';
import { useApi } from '../api/client.ts';
import { emptyFilters, filtersToFilter, filtersToQuery, FILTER_KEYS, type GalleryFilters } from '../lib/gallery-filters.ts';
import { OwnImageChanges } from '../lib/own-image-changes.ts';
import { useLive } from './live.ts';

export type { GalleryFilters } from '../lib/gallery-filters.ts';

const emptyFacets = (): GalleryFacets => ({ checkpoints: [], loras: [], samplers: [], sizes: [], servers: [], sources: [], ratings: [] });

/**
 * The gallery list for the current filters, paged by keyset cursor as the grid scrolls.
 * The list is a shallow ref replaced on every change (never mutated in place): 100,000
 * loaded images carry no per-item reactivity, and the grid sees one change per page.
 */
export const useGallery = defineStore('gallery', () => {
  const api = useApi();
  const images = shallowRef<GalleryImage[]>([]);
  const cursor = ref<string | null>(null);
  const total = ref(0);
  const filters = ref<GalleryFilters>(emptyFilters());
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<unknown>(null);
  const done = ref(false);
  /** The loaded list is out of date: new images exist that it does not show, or changes may have moved its images. */
  const stale = ref(false);
  /** Why it is: 'new' images (they win: a reload brings both), or 'changed' ratings, favourites or collections. */
  const staleBecause = ref<'new' | 'changed'>('new');
  function markStale(because: 'new' | 'changed'): void {
    if (!stale.value || because === 'new') staleBecause.value = because;
    stale.value = true;
  }
  const pageSize = ref(60);
  const facets = shallowRef<GalleryFacets>(emptyFacets());
  /** The order of sort=random: kept while paging so pages do not overlap; new on each first page. */
  let randomSeed = 0;
  let generation = 0;
  let facetGeneration = 0;
  let inflight: Promise<void> | null = null;

  const hasFilters = computed(() => FILTER_KEYS.some((k) => k !== 'sort' && filters.value[k] !== ''));

  /** Load the first page for the current filters (drops the old list). */
  async function loadFirst(): Promise<void> {
    const gen = ++generation;
    randomSeed = Math.floor(Math.random() * 2_147_483_647);
    loading.value = true;
    error.value = null;
    done.value = false;
    try {
      const page = await api.galleryImages({ ...filtersToQuery(filters.value, randomSeed), limit: pageSize.value });
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
        const page = await api.galleryImages({ ...filtersToQuery(filters.value, randomSeed), limit: pageSize.value, cursor: after });
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

  /** Counts per value for the current filters (the numbers next to each filter's choices). */
  async function loadFacets(): Promise<void> {
    const gen = ++facetGeneration;
    try {
      const answer = await api.galleryFacets(filtersToFilter(filters.value));
      if (gen === facetGeneration) facets.value = answer;
    } catch {
      /* the filters still work; they just show no counts */
    }
  }

  function setFilters(patch: Partial<GalleryFilters>): Promise<void> {
    filters.value = { ...filters.value, ...patch };
    inflight = null;
    void loadFacets();
    return loadFirst();
  }

  function resetFilters(): Promise<void> {
    filters.value = { ...emptyFilters(), sort: filters.value.sort };
    inflight = null;
    void loadFacets();
    return loadFirst();
  }

  function removeLocal(id: number): void {
    removeManyLocal([id]);
  }

  function removeManyLocal(ids: readonly number[]): void {
    const gone = new Set(ids);
    const before = images.value.length;
    images.value = images.value.filter((i) => !gone.has(i.id));
    total.value = Math.max(0, total.value - (before - images.value.length));
  }

  /**
   * Each loaded image's change count: an image re-read after an update event is put in
   * place only if nothing changed it meanwhile (a newer local change or a newer re-read),
   * so a slow older answer never overwrites a newer one.
   */
  const revisions = new Map<number, number>();
  const bump = (id: number) => {
    const next = (revisions.get(id) ?? 0) + 1;
    revisions.set(id, next);
    return next;
  };

  /** Puts a changed image (rating, favourite, note, collections) in place of the loaded one. */
  function replaceLocal(image: GalleryImage): void {
    bump(image.id);
    put(image);
  }

  function put(image: GalleryImage): void {
    const i = images.value.findIndex((x) => x.id === image.id);
    if (i < 0) return;
    const next = images.value.slice();
    next[i] = image;
    images.value = next;
  }

  async function remove(id: number): Promise<void> {
    await api.deleteImage(id);
    removeLocal(id);
  }

  /** Loaded images changed elsewhere (another tab or device) and re-read one by one, up to this many. */
  const REREAD_MAX = 60;

  const own = new OwnImageChanges();

  /**
   * Sends a change this tab makes to these images (null: the images a filter names), so
   * its echo from the engine is not taken for a change made elsewhere. `changedNothing`
   * tells from the answer that the engine announced nothing.
   */
  async function changeImages<T>(ids: readonly number[] | null, request: () => Promise<T>, changedNothing?: (answer: T) => boolean): Promise<T> {
    const change = own.note(ids);
    try {
      const answer = await request();
      if (changedNothing?.(answer)) own.forget(change);
      return answer;
    } catch (err) {
      own.forget(change);
      throw err;
    }
  }

  /**
   * Another tab or device rated, starred, noted or filed images: the loaded ones are read
   * again. A change to more than a screenful, or one the current filter or order depends
   * on, offers a reload instead (the list may no longer hold the images it should). The
   * echo of this tab's own change only updates the counts: the tab shows it already.
   */
  async function applyUpdated(ids: readonly number[] | null): Promise<void> {
    void loadFacets();
    if (own.classify(ids) === 'own') return;
    const f = filters.value;
    const shapesList = f.sort === 'rating' || f.rating_min !== '' || f.favourite !== '' || f.collection !== '';
    if (ids === null || shapesList) markStale('changed');
    if (ids === null) return;
    const loadedIds = new Set(images.value.map((i) => i.id));
    const changed = ids.filter((id) => loadedIds.has(id));
    if (changed.length > REREAD_MAX) {
      markStale('changed');
      return;
    }
    await Promise.all(changed.map(async (id) => {
      const revision = bump(id);
      try {
        const image = await api.image(id);
        if (revisions.get(id) === revision) put(image);
      } catch {
        /* gone meanwhile: its image.deleted event removes it */
      }
    }));
  }

  function applyEvent(event: EngineEvent): void {
    if (event.type === 'image.deleted') removeLocal(event.image_id);
    else if (event.type === 'image.updated') void applyUpdated(event.image_ids);
    else if (event.type === 'job.finished' && event.job.image_count > 0) markStale('new');
    else if (event.type === 'image.created') markStale('new');
  }

  // After a dropped connection (or a handover between tabs) the list may miss images: one
  // small request tells whether it does, so "New images" is offered only when there are some.
  const events = useLive();
  events.on(applyEvent);
  events.onResync(async () => {
    if (!loaded.value) return;
    try {
      const head = await api.galleryImages({ ...filtersToQuery(filters.value, randomSeed), limit: 1 });
      if (head.total !== total.value || head.images[0]?.id !== images.value[0]?.id) markStale('new');
    } catch {
      markStale('new');
    }
  });

  return {
    images, cursor, total, filters, loading, loaded, error, done, stale, staleBecause, markStale, pageSize, hasFilters, facets,
    loadFirst, loadMore, loadFacets, setFilters, resetFilters, remove, removeLocal, removeManyLocal, replaceLocal, changeImages, applyEvent,
  };
});
