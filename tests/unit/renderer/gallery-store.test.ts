import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import { galleryApi } from '../../../renderer/src/api/gallery.ts';
import { useGallery } from '../../../renderer/src/stores/gallery.ts';
import type { GalleryImage } from '../../../shared/images.ts';
import { createFakeFetch, json, type RecordedCall } from './fake-fetch.ts';

function img(id: number): GalleryImage {
  return {
    id, job_id: 'j', source_id: null, source_path: null, index: 0, kind: 'result', server_alias: 's', app_type: 'forge', checkpoint: 'c',
    checkpoint_hash: null, positive_prompt: `p${id}`, negative_prompt: null, seed: id, sampler: null, scheduler: null, steps: null, cfg_scale: null,
    width: 512, height: 512, loras: [], bytes: 1000, created_at: '2026-01-01T00:00:00.000Z', infotext: null, rating: 0, favourite: false, note: null,
    collection_ids: [], settings: {}, filename: `j-${id}.png`,
    download_url: `/api/v1/images/${id}/download`, thumbnail_url: `/api/v1/images/${id}/thumbnail`,
  };
}

/** 150 images served newest first, 60 per page, with an id-based cursor. */
function galleryRoute(call: RecordedCall) {
  const q = new URL(call.url, 'http://x').searchParams;
  const all = Array.from({ length: 150 }, (_, i) => img(150 - i)).filter((i) => !q.get('q') || i.positive_prompt.includes(q.get('q')!));
  const after = q.get('cursor') ? Number(q.get('cursor')) : Infinity;
  const limit = Number(q.get('limit') ?? 60);
  const rest = all.filter((i) => i.id < after);
  const page = rest.slice(0, limit);
  return { json: { images: page, next_cursor: rest.length > limit ? String(page[page.length - 1]!.id) : null, total: all.length } };
}

function setup() {
  const f = createFakeFetch({ 'GET /api/v1/gallery/images': galleryRoute, 'DELETE /api/v1/images/150': () => ({ json: { deleted: 150 } }) });
  setApiClient(new ApiClient({ fetch: f.fetch }));
  setActivePinia(createPinia());
  return { f, gallery: useGallery() };
}

describe('gallery store', () => {
  it('pages by keyset cursor until the end', async () => {
    const { f, gallery } = setup();
    await gallery.loadFirst();
    expect(gallery.images).toHaveLength(60);
    expect(gallery.total).toBe(150);
    await gallery.loadMore();
    await gallery.loadMore();
    expect(gallery.images).toHaveLength(150);
    expect(gallery.done).toBe(true);
    await gallery.loadMore(); // no request past the end
    expect(f.calls).toHaveLength(3);
    expect(f.calls[1]!.url).toBe('/api/v1/gallery/images?limit=60&cursor=91');
    expect(new Set(gallery.images.map((i) => i.id)).size).toBe(150);
  });

  it('shares one request between concurrent loadMore calls', async () => {
    const { f, gallery } = setup();
    await gallery.loadFirst();
    await Promise.all([gallery.loadMore(), gallery.loadMore(), gallery.loadMore()]);
    expect(f.calls).toHaveLength(2);
    expect(gallery.images).toHaveLength(120);
  });

  it('sends filters (server, checkpoint, text, day range) and restarts from the first page', async () => {
    const { f, gallery } = setup();
    await gallery.loadFirst();
    await gallery.loadMore();
    await gallery.setFilters({ server: 'gpu 1', checkpoint: 'sdxl/a.safetensors', q: ' p14 ', from: '2026-01-01', to: '2026-01-31' });
    const last = new URL(f.calls.at(-1)!.url, 'http://x');
    expect(Object.fromEntries(last.searchParams)).toEqual({ server: 'gpu 1', checkpoint: 'sdxl/a.safetensors', q: 'p14', from: '2026-01-01', to: '2026-01-31', limit: '60' });
    expect(last.searchParams.has('cursor')).toBe(false);
    expect(gallery.hasFilters).toBe(true);
    await gallery.resetFilters();
    expect(gallery.hasFilters).toBe(false);
    expect(gallery.images).toHaveLength(60);
  });

  it('removes deleted images (by the API and by SSE) and marks new results stale', async () => {
    const { gallery } = setup();
    await gallery.loadFirst();
    await gallery.remove(150);
    expect(gallery.images[0]!.id).toBe(149);
    expect(gallery.total).toBe(149);
    gallery.applyEvent({ type: 'image.deleted', image_id: 149 });
    expect(gallery.images[0]!.id).toBe(148);
    expect(gallery.stale).toBe(false);
    gallery.applyEvent({ type: 'job.finished', job: { image_count: 1 } as never });
    expect(gallery.stale).toBe(true);
  });

  it('re-reads loaded images another tab changed, and a slow older answer never overwrites a newer change', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const f = createFakeFetch({
      'GET /api/v1/gallery/images': galleryRoute,
      'GET /api/v1/images/150': async () => { await held; return json(200, { ...img(150), rating: 2 }); },
      'GET /api/v1/images/149': () => ({ json: { ...img(149), favourite: true } }),
    });
    setApiClient(new ApiClient({ fetch: f.fetch }));
    setActivePinia(createPinia());
    const gallery = useGallery();
    await gallery.loadFirst();
    gallery.applyEvent({ type: 'image.updated', image_ids: [149, 1] });
    await vi.waitFor(() => expect(gallery.images.find((i) => i.id === 149)!.favourite).toBe(true));
    expect(f.calls.filter((c) => c.url.startsWith('/api/v1/images/')).map((c) => c.url)).toEqual(['/api/v1/images/149']); // 1 is not loaded
    // Another tab rated 150 (answer held back); meanwhile this tab rates it 5 itself.
    gallery.applyEvent({ type: 'image.updated', image_ids: [150] });
    gallery.replaceLocal({ ...img(150), rating: 5 });
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gallery.images.find((i) => i.id === 150)!.rating).toBe(5);
    expect(gallery.stale).toBe(false);
    // Too many to list: the list offers a reload.
    gallery.applyEvent({ type: 'image.updated', image_ids: null });
    expect(gallery.stale).toBe(true);
  });

  it('sorted by rating, offers a reload for a rating changed elsewhere but not for its own', async () => {
    const f = createFakeFetch({
      'GET /api/v1/gallery/images': galleryRoute,
      'PATCH /api/v1/images/150': () => ({ json: { ...img(150), rating: 5 } }),
      'GET /api/v1/images/149': () => ({ json: { ...img(149), rating: 4 } }),
    });
    setApiClient(new ApiClient({ fetch: f.fetch }));
    setActivePinia(createPinia());
    const gallery = useGallery();
    await gallery.setFilters({ sort: 'rating' });
    // The echo may arrive before the answer: the change is noted before the request.
    const saved = gallery.changeImages([150], () => galleryApi().patchImage(150, { rating: 5 }));
    gallery.applyEvent({ type: 'image.updated', image_ids: [150] });
    await saved;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gallery.stale).toBe(false);
    expect(f.calls.some((c) => c.url === '/api/v1/images/150' && c.method === 'GET')).toBe(false);
    // Another client rates 149: the order may have changed.
    gallery.applyEvent({ type: 'image.updated', image_ids: [149] });
    expect(gallery.stale).toBe(true);
    expect(gallery.staleBecause).toBe('changed');
    // New images coming after win: a reload brings both.
    gallery.applyEvent({ type: 'image.created', image_id: 151, source_id: null });
    expect(gallery.staleBecause).toBe('new');
    await vi.waitFor(() => expect(gallery.images.find((i) => i.id === 149)!.rating).toBe(4));
  });
});
