import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import { useImageMarks } from '../../../renderer/src/composables/use-image-marks.ts';
import type { GalleryImage } from '../../../shared/images.ts';
import { createFakeFetch, json } from './fake-fetch.ts';

const image = (rating: number): GalleryImage => ({
  id: 7, job_id: 'j', source_id: null, source_path: null, index: 0, kind: 'result', server_alias: 's', app_type: 'forge', checkpoint: 'c',
  checkpoint_hash: null, positive_prompt: 'p', negative_prompt: null, seed: 1, sampler: null, scheduler: null, steps: null, cfg_scale: null,
  width: 512, height: 512, loras: [], bytes: 1000, created_at: '2026-01-01T00:00:00.000Z', infotext: null, rating, favourite: false, note: null,
  collection_ids: [], settings: {}, filename: 'j-7.png', download_url: '/api/v1/images/7/download', thumbnail_url: '/api/v1/images/7/thumbnail',
});

/** Each PATCH waits until the test answers it: `answer(rating)` or `fail(rating)`. */
function setup() {
  const pending = new Map<number, (res: Response) => void>();
  const f = createFakeFetch({
    'PATCH /api/v1/images/7': (call) => new Promise<Response>((resolve) => pending.set((call.body as { rating: number }).rating, resolve)),
  });
  setApiClient(new ApiClient({ fetch: f.fetch }));
  setActivePinia(createPinia());
  const shown: number[] = [];
  const marks = useImageMarks((img) => shown.push(img.rating));
  const sent = async (n: number) => { while (pending.size < n) await new Promise((r) => setTimeout(r, 1)); };
  return {
    marks, shown, sent,
    /** Rates 3, then 4 at once, and waits until both requests are out. */
    rateThreeThenFour: async () => {
      const first = marks.rate(image(0), 3);
      const second = marks.rate(image(3), 4);
      await sent(2);
      return [first, second] as const;
    },
    answer: (rating: number) => pending.get(rating)!(json(200, image(rating))),
    fail: (rating: number) => pending.get(rating)!(json(500, { error: 'internal', message: 'disk full' })),
  };
}

describe('rating an image twice in a row', () => {
  it('the answer to the first change arriving last does not undo the second', async () => {
    const t = setup();
    const [first, second] = await t.rateThreeThenFour();
    t.answer(4);
    await second;
    t.answer(3);
    await first;
    expect(t.shown).toEqual([3, 4, 4]);
  });

  it('the first change failing after the second was asked does not put the old rating back', async () => {
    const t = setup();
    const [first, second] = await t.rateThreeThenFour();
    t.fail(3);
    await first;
    t.answer(4);
    await second;
    expect(t.shown.at(-1)).toBe(4);
    expect(t.shown).not.toContain(0);
  });

  it('a single change that fails is put back', async () => {
    const t = setup();
    const only = t.marks.rate(image(2), 5);
    await t.sent(1);
    t.fail(5);
    await only;
    expect(t.shown).toEqual([5, 2]);
  });
});
