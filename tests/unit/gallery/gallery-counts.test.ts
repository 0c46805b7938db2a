import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../electron/engine/db/connection.ts';
import { GalleryStore, type IndexedImage } from '../../../electron/engine/gallery/gallery-store.ts';
import { EMPTY_METADATA } from '../../../electron/engine/gallery/metadata/image-metadata.ts';
import { SourceStore } from '../../../electron/engine/gallery/source-store.ts';

/** Counts and facets are kept between calls while the gallery is unchanged; these check they follow every change. */
describe('gallery counts and facets', () => {
  let db: Db;
  let store: GalleryStore;
  let sourceId: number;
  const image = (n: number, prompt: string, checkpoint: string, lora: string): IndexedImage => ({
    source_id: sourceId, file_path: `${n}.png`, mime: 'image/png', bytes: 100, file_mtime_ms: n,
    created_at: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString(),
    meta: { ...EMPTY_METADATA, tool: 'a1111', positive_prompt: prompt, checkpoint, sampler: 'Euler', width: 512, height: 512, loras: [{ name: lora, weight: 1 }], extra: {} },
  });

  beforeEach(() => {
    db = openDatabase(':memory:');
    store = new GalleryStore(db);
    sourceId = new SourceStore(db).add('/nowhere', 'archive', new Date().toISOString()).id;
    store.upsertIndexed([
      image(1, 'a castle at night', 'alpha', 'ink'), image(2, 'castle in the rain', 'beta', 'ink'),
      image(3, 'a forest', 'alpha', 'oil'), image(4, 'castle ruins', 'alpha', 'oil'),
    ]);
  });
  afterEach(() => db.close());

  it('counts a search with a filter, newest first, and counts again after an image is added or trashed', () => {
    const first = store.page({ q: 'castle', checkpoint: 'alpha', limit: 10 });
    expect(first.total).toBe(2);
    expect(first.rows.map((r) => r.file_path)).toEqual(['4.png', '1.png']);
    const next = store.page({ q: 'castle', checkpoint: 'alpha', limit: 1, after: [first.rows[0].k0, first.rows[0].k1] });
    expect(next.rows.map((r) => r.file_path)).toEqual(['1.png']);
    expect(next.total).toBe(2);
    store.upsertIndexed([image(5, 'castle gate', 'alpha', 'ink')]);
    expect(store.page({ q: 'castle', checkpoint: 'alpha', limit: 10 }).total).toBe(3);
    store.setState(first.rows[0].id, 'trash', new Date().toISOString(), null);
    expect(store.page({ q: 'castle', checkpoint: 'alpha', limit: 10 }).total).toBe(2);
    expect(store.page({ checkpoint: 'alpha', limit: 10 }).total).toBe(3);
  });

  it('leaves out a dimension\'s own filter from its counts, with and without text, and follows changes', () => {
    const all = store.facets({});
    expect(all.checkpoints).toEqual([{ value: 'alpha', count: 3 }, { value: 'beta', count: 1 }]);
    expect(all.loras).toEqual([{ value: 'ink', count: 2 }, { value: 'oil', count: 2 }]);
    const searched = store.facets({ q: 'castle', checkpoint: 'alpha' });
    expect(searched.checkpoints).toEqual([{ value: 'alpha', count: 2 }, { value: 'beta', count: 1 }]);
    expect(searched.loras).toEqual([{ value: 'ink', count: 1 }, { value: 'oil', count: 1 }]);
    expect(searched.samplers).toEqual([{ value: 'Euler', count: 2 }]);
    // A checkpoint chosen: the other facets count its images (read from the checkpoint's index).
    const alpha = store.facets({ checkpoint: 'alpha' });
    expect(alpha.checkpoints).toEqual([{ value: 'alpha', count: 3 }, { value: 'beta', count: 1 }]);
    expect(alpha.loras).toEqual([{ value: 'oil', count: 2 }, { value: 'ink', count: 1 }]);
    expect(alpha.samplers).toEqual([{ value: 'Euler', count: 3 }]);
    expect(alpha.sizes).toEqual([{ value: '512x512', count: 3 }]);
    expect(alpha.ratings).toEqual([{ value: '0', count: 3 }]);
    expect(alpha.sources).toEqual([{ value: String(sourceId), count: 3, label: 'archive' }]);
    // A trashed image leaves the LoRA counts (counted as all uses less those of hidden images).
    const oil = store.page({ lora: 'oil', limit: 10 }).rows;
    store.setState(oil[0].id, 'trash', new Date().toISOString(), null);
    expect(store.facets({}).loras).toEqual([{ value: 'ink', count: 2 }, { value: 'oil', count: 1 }]);
    store.patch(oil[1].id, { rating: 4 });
    expect(store.facets({}).ratings).toEqual([{ value: '0', count: 2 }, { value: '4', count: 1 }]);
  });
});
