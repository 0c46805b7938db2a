import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../electron/engine/db/connection.ts';
import { GalleryStore, type IndexedImage } from '../../../electron/engine/gallery/gallery-store.ts';
import { EMPTY_METADATA } from '../../../electron/engine/gallery/metadata/image-metadata.ts';
import { SourceStore } from '../../../electron/engine/gallery/source-store.ts';

/**
 * A text search that matches much of the gallery is paged by walking the asked order and
 * keeping the images among its matches, instead of reading every match and sorting: the
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

  function allPages(q: string, sort: 'newest' | 'oldest', limit: number, total: number): string[] {
    const seen: string[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const page = store.page({ q, checkpoint: 'alpha', sort, limit, ...(after ? { after } : {}) });
      expect(page.total).toBe(total);
      seen.push(...page.rows.map((r) => r.file_path));
      if (page.rows.length < limit) return seen;
      const last = page.rows[page.rows.length - 1] as Record<string, unknown>;
      after = Object.keys(last).filter((k) => /^k\d+$/.test(k)).sort().map((k) => last[k]);
    }
  }
  const walked = () => sql.some((s) => s.includes('SELECT rowid FROM images_fts'));

  it('gives the same pages, newest and oldest first, as reading all matches would', () => {
    const expected = Array.from({ length: COUNT }, (_, i) => i).filter(matches).map((i) => `${i}.png`);
    sql.length = 0;
    expect(allPages('castle', 'newest', 1, 240)).toEqual([...expected].reverse());
    expect(allPages('castle', 'oldest', 1, 240)).toEqual(expected);
    // The walk was taken once the count was known (the first page reads the matches to count them).
    expect(walked()).toBe(true);
  });

  it('walks on through stretches without a match, in growing chunks, and misses none', () => {
    // "view 1*": views 1, 10–19 and 100–199, all among the oldest; the newest 400 images have none.
    const expected = Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % 2 === 0 && /^1/.test(String(i))).map((i) => `${i}.png`);
    sql.length = 0;
    expect(allPages('view 1*', 'oldest', 20, expected.length)).toEqual(expected);
    expect(walked()).toBe(true);
    // Now counted, the newest page is walked from the start, through the 200 newest "alpha" images first.
    expect(allPages('view 1*', 'newest', 20, expected.length)).toEqual([...expected].reverse());
  });

  it('reads a narrow search from its matches', () => {
    sql.length = 0;
    for (let i = 0; i < 2; i++) expect(store.page({ q: 'forest 10', checkpoint: 'alpha', limit: 5 }).rows.map((r) => r.file_path)).toEqual(['10.png']);
    expect(walked()).toBe(false);
  });
});
