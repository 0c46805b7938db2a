/**
 * Rating, favourite, note and bulk changes reach other tabs and devices live: the event
 * stream carries one `image.updated` per request naming the images, a bulk action's ids
 * together in one event.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../shared/events.ts';
import type { GalleryPage, GallerySource } from '../../shared/images.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { forgePng } from '../helpers/gallery-fixtures.ts';
import { api, waitFor } from '../helpers/http.ts';
import { collectEvents } from '../helpers/sse.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let sq: TestEngine;
let folder: ReturnType<typeof makeTempDir>;
let ids: number[];
let stream: ReturnType<typeof collectEvents>;
const updates = () => stream.events.map((e) => e.data as Extract<EngineEvent, { type: 'image.updated' }>);

beforeAll(async () => {
  folder = makeTempDir('sq-gallery-live-');
  for (let i = 0; i < 4; i++) {
    fs.writeFileSync(path.join(folder.dir, `img-${i}.png`), await forgePng({ prompt: `a lighthouse number ${i}`, seed: 300 + i, model: 'liveModel' }));
  }
  sq = await startTestEngine({ galleryImportPaths: [folder.dir] });
  await waitFor(async () => (await api<GallerySource[]>(sq.url, 'GET', '/api/v1/gallery/sources')).body.find((s) => s.state === 'watching' && s.indexed === 4),
    { timeoutMs: 60_000, what: 'the folder to be indexed' });
  ids = (await api<GalleryPage>(sq.url, 'GET', '/api/v1/gallery/images?limit=10')).body.images.map((i) => i.id).sort((a, b) => a - b);
  expect(ids).toHaveLength(4);
  stream = collectEvents(sq.url, ['image.updated']);
  await stream.ready;
}, 90_000);

afterAll(async () => {
  stream?.close();
  await sq?.stop();
  folder?.cleanup();
});

describe('gallery live updates', () => {
  it('announces a rating, a favourite and a note on one image', async () => {
    for (const patch of [{ rating: 4 }, { favourite: true }, { note: 'keep' }]) {
      const before = updates().length;
      expect((await api(sq.url, 'PATCH', `/api/v1/images/${ids[0]}`, patch)).status).toBe(200);
      const event = await waitFor(() => updates()[before], { what: `the update event for ${JSON.stringify(patch)}` });
      expect(event.image_ids).toEqual([ids[0]]);
    }
  });

  it('announces a bulk action once, with all its images', async () => {
    const before = updates().length;
    const res = await api<{ matched: number; changed: number }>(sq.url, 'POST', '/api/v1/gallery/bulk', { ids: ids.slice(1), action: 'rate', params: { rating: 2 } });
    expect(res.body).toEqual({ matched: 3, changed: 3 });
    const event = await waitFor(() => updates()[before], { what: 'the bulk update event' });
    expect([...event.image_ids!].sort((a, b) => a - b)).toEqual(ids.slice(1));
    // Favourite everything the filter matches: one more event, none per image.
    const all = await api<{ matched: number }>(sq.url, 'POST', '/api/v1/gallery/bulk', { filter: { q: 'lighthouse' }, action: 'favourite' });
    expect(all.body.matched).toBe(4);
    const second = await waitFor(() => updates()[before + 1], { what: 'the filter bulk update event' });
    expect([...second.image_ids!].sort((a, b) => a - b)).toEqual(ids);
    // A later event would be a duplicate: give the stream a moment, then count.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(updates()).toHaveLength(before + 2);
  });

});
