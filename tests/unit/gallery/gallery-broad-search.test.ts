import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../electron/engine/db/connection.ts';
import { GalleryStore, type IndexedImage } from '../../../electron/engine/gallery/gallery-store.ts';
import { EMPTY_METADATA } from '../../../electron/engine/gallery/metadata/image-metadata.ts';
import { SourceStore } from '../../../electron/engine/gallery/source-store.ts';

/**
 * A text search that matches most of the gallery is paged by walking the asked order and
 * testing each image against the text, instead of reading every match and sorting: the
 * pages must be exactly the ones the other plan gives, in the same order, page after page.
 */
describe('gallery: a broad text search walked in order', () => {
  let db: Db;
  let store: GalleryStore;
  const sql: string[] = [];
  const COUNT = 600;
  // 90% say "castle", half are on checkpoint alpha.
  const matches = (i: number) => i % 10 !== 0 && i % 2 === 0;

  beforeEach(() => {
    db = openDatabase(':memory:');
    const prepare = db.prepare.bind(db);
    db.prepare = ((text: string) => { sql.push(text); return prepare(text); }) as typeof db.prepare;
    store = new GalleryStore(db);
    const sourceId = new SourceStore(db).add('/nowhere', 'archive', new Date().toISOString()).id;
    store.upsertIndexed(Array.from({ length: COUNT }, (_, i): IndexedImage => ({
      source_id: sourceId, file_path: `${i}.png`, mime: 'image/png', bytes: 100, file_mtime_ms: i,
      created_at: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
      meta: { ...EMPTY_METADATA, tool: 'a1111', positive_prompt: i % 10 ? `a castle, view ${i}` : `a forest, view ${i}`,
        checkpoint: i % 2 ? 'beta' : 'alpha', sampler: 'Euler', width: 512, height: 512, loras: [], extra: {} },
    })));
  });
  afterEach(() => db.close());

  function allPages(sort: 'newest' | 'oldest'): string[] {
    const seen: string[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const page = store.page({ q: 'castle', checkpoint: 'alpha', sort, limit: 1, ...(after ? { after } : {}) });
      expect(page.total).toBe(240);
      if (!page.rows.length) return seen;
      seen.push(page.rows[0].file_path);
      const last = page.rows[0] as Record<string, unknown>;
      after = Object.keys(last).filter((k) => /^k\d+$/.test(k)).sort().map((k) => last[k]);
    }
  }

  it('gives the same pages, newest and oldest first, as reading all matches would', () => {
    const expected = Array.from({ length: COUNT }, (_, i) => i).filter(matches).map((i) => `${i}.png`);
    sql.length = 0;
    expect(allPages('newest')).toEqual([...expected].reverse());
    expect(allPages('oldest')).toEqual(expected);
    // The walk was taken once the count was known (the first page reads the matches to count them).
    expect(sql.some((s) => s.includes('images_fts.rowid = images.id'))).toBe(true);
  });

  it('keeps reading a narrow search from its matches', () => {
    sql.length = 0;
    for (let i = 0; i < 2; i++) expect(store.page({ q: 'forest', checkpoint: 'alpha', limit: 5 }).rows).toHaveLength(5);
    expect(sql.some((s) => s.includes('images_fts.rowid = images.id'))).toBe(false);
  });
});
