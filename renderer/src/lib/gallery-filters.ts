/**
 * The gallery's filters as the UI holds them (all strings, '' = not set), and the two
 * mappings they need: to the engine's list query, and to and from the page URL, so a
 * filtered gallery can be bookmarked, shared and reloaded.
 */
import type { GalleryFilter, GalleryKindFilter, GalleryListQuery, GallerySort } from '../../../shared/images.ts';

export interface GalleryFilters {
  q: string;
  checkpoint: string;
  lora: string;
  sampler: string;
  /** "WxH" */
  size: string;
  server: string;
  /** a source id, or "stablequeue" */
  source: string;
  /** YYYY-MM-DD */
  from: string;
  /** YYYY-MM-DD, inclusive */
  to: string;
  /** "1".."5": at least this many stars */
  rating_min: string;
  /** "true": favourites only */
  favourite: string;
  /** a collection id */
  collection: string;
  /** '' = results only; grids and detected maps a job kept are shown only when asked for. */
  kind: '' | GalleryKindFilter;
  /** '' = newest first */
  sort: '' | Exclude<GallerySort, 'newest'>;
}

export type FilterKey = keyof GalleryFilters;
export const FILTER_KEYS = ['q', 'checkpoint', 'lora', 'sampler', 'size', 'server', 'source', 'from', 'to', 'rating_min', 'favourite', 'collection', 'kind', 'sort'] as const satisfies readonly FilterKey[];

export const emptyFilters = (): GalleryFilters => ({
  q: '', checkpoint: '', lora: '', sampler: '', size: '', server: '', source: '', from: '', to: '',
  rating_min: '', favourite: '', collection: '', kind: '', sort: '',
});

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SIZE = /^\d{1,5}x\d{1,5}$/;
const SOURCE = /^(\d{1,9}|stablequeue)$/;
const KINDS: readonly string[] = ['result', 'grid', 'control_map', 'all'];
const SORTS: readonly string[] = ['oldest', 'rating', 'random'];

const intIn = (v: string, min: number, max: number): number | undefined => {
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= min && n <= max ? n : undefined;
};

/** The engine's filter for these filters: what is malformed is left out rather than sent. */
export function filtersToFilter(f: GalleryFilters): GalleryFilter {
  return {
    q: f.q.trim() || undefined,
    checkpoint: f.checkpoint || undefined,
    lora: f.lora || undefined,
    sampler: f.sampler || undefined,
    size: SIZE.test(f.size) ? f.size : undefined,
    server: f.server || undefined,
    source: SOURCE.test(f.source) ? f.source : undefined,
    // The engine takes calendar days (YYYY-MM-DD, inclusive).
    from: DAY.test(f.from) ? f.from : undefined,
    to: DAY.test(f.to) ? f.to : undefined,
    rating_min: intIn(f.rating_min, 1, 5),
    favourite: f.favourite === 'true' ? true : undefined,
    collection: intIn(f.collection, 1, 2 ** 31),
    kind: KINDS.includes(f.kind) ? f.kind || undefined : undefined,
  };
}

export function filtersToQuery(f: GalleryFilters, randomSeed?: number): GalleryListQuery {
  const sort = SORTS.includes(f.sort) ? (f.sort as GallerySort) : undefined;
  return { ...filtersToFilter(f), sort, random_seed: sort === 'random' ? randomSeed : undefined };
}

/** The URL query for these filters: only what is set, so a plain gallery has a plain URL. */
export function filtersToRoute(f: GalleryFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_KEYS) if (f[k] !== '') out[k] = f[k];
  return out;
}

/** Filters read back from a URL query; unknown keys and values of the wrong shape are dropped. */
export function filtersFromRoute(query: Record<string, unknown>): GalleryFilters {
  const f = emptyFilters();
  for (const k of FILTER_KEYS) {
    const raw = query[k];
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (typeof v !== 'string' || v.length > 1024) continue;
    (f as unknown as Record<string, string>)[k] = v;
  }
  if (!KINDS.includes(f.kind)) f.kind = '';
  if (!SORTS.includes(f.sort)) f.sort = '';
  if (f.favourite !== 'true') f.favourite = '';
  return f;
}

/** How many narrowing filters are set (not the text, which has its own box, nor the order). */
export function activeFilterCount(f: GalleryFilters): number {
  return FILTER_KEYS.filter((k) => k !== 'q' && k !== 'sort' && f[k] !== '').length;
}

export const sameFilters = (a: GalleryFilters, b: GalleryFilters): boolean => FILTER_KEYS.every((k) => a[k] === b[k]);
