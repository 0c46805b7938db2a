import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import { activeFilterCount, emptyFilters, filtersFromRoute, filtersToQuery, filtersToRoute } from '../../../renderer/src/lib/gallery-filters.ts';
import { paramRows } from '../../../renderer/src/lib/param-diff.ts';
import { useGallery } from '../../../renderer/src/stores/gallery.ts';
import { useGallerySelection } from '../../../renderer/src/stores/gallery-selection.ts';
import type { GalleryImage } from '../../../shared/images.ts';
import { createFakeFetch } from './fake-fetch.ts';

function img(id: number, patch: Partial<GalleryImage> = {}): GalleryImage {
  return {
    id, job_id: null, source_id: 1, source_path: `a/${id}.png`, index: 0, kind: 'result', server_alias: null, app_type: 'a1111', checkpoint: 'sdxl/juggernaut.safetensors',
    checkpoint_hash: null, positive_prompt: 'a fox', negative_prompt: null, seed: 1, sampler: 'Euler a', scheduler: null, steps: 20, cfg_scale: 7,
    width: 512, height: 512, loras: [], bytes: 1, created_at: '2026-01-01T00:00:00.000Z', infotext: null, rating: 0, favourite: false, note: null,
    collection_ids: [], settings: {}, filename: `${id}.png`, download_url: `/api/v1/images/${id}/download`, thumbnail_url: `/api/v1/images/${id}/thumbnail`, ...patch,
  };
}

describe('gallery filters ↔ URL and query', () => {
  it('round-trips every set filter through the URL and leaves unset ones out', () => {
    const f = { ...emptyFilters(), q: '"red fox" snow*', lora: 'fluffy_fur', size: '832x1216', source: 'stablequeue', rating_min: '4', favourite: 'true', collection: '3', sort: 'rating' as const };
    const route = filtersToRoute(f);
    expect(route).toEqual({ q: '"red fox" snow*', lora: 'fluffy_fur', size: '832x1216', source: 'stablequeue', rating_min: '4', favourite: 'true', collection: '3', sort: 'rating' });
    expect(filtersFromRoute(route)).toEqual(f);
    expect(filtersToRoute(emptyFilters())).toEqual({});
    expect(activeFilterCount(f)).toBe(6);
  });

  it('drops hostile or malformed URL values instead of sending them', () => {
    const f = filtersFromRoute({ sort: 'DROP TABLE', kind: 'everything', favourite: 'yes', rating_min: '9', size: '832 x 1216', source: '../etc', collection: '-1', q: ['a', 'b'], junk: 'x' });
    expect(f.sort).toBe('');
    expect(f.kind).toBe('');
    expect(f.favourite).toBe('');
    expect(f.q).toBe('a');
    const q = filtersToQuery(f);
    expect(q).toMatchObject({ rating_min: undefined, size: undefined, source: undefined, collection: undefined, sort: undefined });
    expect(q.q).toBe('a');
  });

  it('sends random order with its seed only for sort=random', () => {
    expect(filtersToQuery({ ...emptyFilters(), sort: 'random' }, 42)).toMatchObject({ sort: 'random', random_seed: 42 });
    expect(filtersToQuery({ ...emptyFilters(), sort: 'oldest' }, 42)).toMatchObject({ sort: 'oldest', random_seed: undefined });
  });
});

describe('compare: parameter differences', () => {
  it('marks exactly the rows whose values differ and leaves out rows no image has', () => {
    const rows = paramRows([img(1, { seed: 1, loras: [{ name: 'fur', weight: 0.8 }] }), img(2, { seed: 2 })]);
    const byLabel = Object.fromEntries(rows.map((r) => [r.label, r]));
    expect(byLabel.Seed).toEqual({ label: 'Seed', values: ['1', '2'], differs: true });
    expect(byLabel.LoRAs!.differs).toBe(true);
    expect(byLabel.Checkpoint).toEqual({ label: 'Checkpoint', values: ['juggernaut', 'juggernaut'], differs: false });
    expect(byLabel.Steps!.differs).toBe(false);
    expect(byLabel.Scheduler).toBeUndefined();
    expect(byLabel['Negative prompt']).toBeUndefined();
  });
});

describe('gallery selection', () => {
  function setup() {
    const images = Array.from({ length: 10 }, (_, i) => img(100 - i));
    const f = createFakeFetch({ 'GET /api/v1/gallery/images': () => ({ json: { images, next_cursor: 'c', total: 5000 } }) });
    setApiClient(new ApiClient({ fetch: f.fetch }));
    setActivePinia(createPinia());
    return { gallery: useGallery(), selection: useGallerySelection() };
  }

  it('selects a range with shift from the last click, and toggles single images', async () => {
    const { gallery, selection } = setup();
    await gallery.loadFirst();
    selection.toggle(2);
    selection.toggle(5, true);
    expect([...selection.ids].sort()).toEqual([95, 96, 97, 98]);
    selection.toggle(3);
    expect(selection.isSelected(97)).toBe(false);
    expect(selection.count).toBe(3);
    expect(selection.target()).toEqual({ ids: expect.arrayContaining([95, 96, 98]) });
  });

  it('"select all matching" names the filter, not ids, and counts every match', async () => {
    const { gallery, selection } = setup();
    await gallery.setFilters({ lora: 'fur', q: 'fox' });
    selection.selectAllMatching();
    expect(selection.count).toBe(5000);
    expect(selection.target()).toEqual({ filter: expect.objectContaining({ lora: 'fur', q: 'fox' }) });
    // Unticking one narrows back to the loaded images minus that one.
    selection.toggle(0);
    expect(selection.allMatching).toBe(false);
    expect(selection.count).toBe(9);
  });
});
