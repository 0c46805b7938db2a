/**
 * The gallery as an index of every image: a folder of real-shaped Forge PNGs, an A1111
 * JPEG (EXIF infotext), ComfyUI PNGs and an InvokeAI PNG is indexed in place; search,
 * filters, rating order, the streamed zip, and delete → trash → undo → purge, on a real
 * engine (SQLite file, HTTP on loopback, files on disk, chokidar watching).
 */
import fs from 'node:fs';
import path from 'node:path';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GalleryFacets, GalleryImage, GalleryPage, GallerySource } from '../../shared/images.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers } from '../helpers/forge-servers.ts';
import { comfyPng, forgeJpeg, forgePng, invokePng } from '../helpers/gallery-fixtures.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
let offset = 0;
const clock = { now: () => Date.now() + offset };

let sq: TestEngine;
let emulators: ForgeEmulator[] = [];
let folder: ReturnType<typeof makeTempDir>;
let source: GallerySource;

const list = async (query: string): Promise<GalleryPage> => {
  const res = await api<GalleryPage>(sq.url, 'GET', `/api/v1/gallery/images?${/(^|&)limit=/.test(query) ? '' : 'limit=200&'}${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const paths = (page: GalleryPage) => page.images.map((i) => i.source_path).sort();
const byPath = async (relative: string): Promise<GalleryImage> => {
  const page = await list(`source=${source.id}`);
  const found = page.images.find((i) => i.source_path === relative);
  if (!found) throw new Error(`${relative} not indexed`);
  return found;
};
const write = (relative: string, data: Buffer) => {
  const file = path.join(folder.dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
};

beforeAll(async () => {
  folder = makeTempDir('sq-gallery-src-');
  write('forge/2025-05-01/00001-1001.png', await forgePng({
    prompt: 'a castle on a hill, <lora:detailTweaker:0.8>, masterpiece', negative: 'blurry, lowres', seed: 1001,
    model: 'juggernautXL_v9', loraHashes: { detailTweaker: 'abc123def456', addMoreDetails: '0123456789ab' },
  }));
  write('forge/2025-05-01/00002-1002.jpg', await forgeJpeg({
    prompt: 'misty forest at dawn, volumetric light', negative: 'people', seed: 1002, model: 'dreamshaper_8', sampler: 'Euler a', scheduler: 'Automatic', cfg: 5.5,
  }));
  write('comfy/ComfyUI_00001_.png', await comfyPng({
    positive: 'a red sports car in the rain, neon reflections', negative: 'cartoon', seed: 1003, ckpt: 'SDXL/juggernautXL_v9.safetensors',
    loras: [{ name: 'neonGlow.safetensors', strength: 0.6 }],
  }));
  write('invoke/8c1f.png', await invokePng({ prompt: 'portrait of an old sailor', negative: 'smooth', seed: 1004, model: 'RealVisXL', lora: 'filmGrain' }));
  for (let i = 0; i < 50; i++) {
    write(`bulk/img-${String(i).padStart(3, '0')}.png`, await forgePng({ prompt: `bulk picture number ${i} of a tree`, seed: 2000 + i, model: 'bulkModel' }));
  }
  write('notes.txt', Buffer.from('not an image'));
  sq = await startTestEngine({ galleryImportPaths: [folder.dir], clock, galleryTrashCheckIntervalMs: 200 });
  source = await waitFor(async () => {
    const res = await api<GallerySource[]>(sq.url, 'GET', '/api/v1/gallery/sources');
    return res.body.find((s) => s.state === 'watching');
  }, { timeoutMs: 60_000, what: 'the source to be indexed' });
}, 90_000);

afterAll(async () => {
  for (const emu of emulators) await emu.close();
  await sq?.stop();
  folder?.cleanup();
});

describe('gallery sources', () => {
  it('indexes every image of the folder in place with its prompt, seed, checkpoint and LoRAs', async () => {
    expect(source).toMatchObject({ path: folder.dir, indexed: 54, total: 54, error: null });
    const page = await list(`source=${source.id}`);
    expect(page.total).toBe(54);
    expect(page.images.every((i) => i.job_id === null && i.source_id === source.id)).toBe(true);

    const castle = await byPath('forge/2025-05-01/00001-1001.png');
    expect(castle).toMatchObject({
      positive_prompt: 'a castle on a hill, <lora:detailTweaker:0.8>, masterpiece', negative_prompt: 'blurry, lowres', seed: 1001,
      checkpoint: 'juggernautXL_v9', checkpoint_hash: '6ce0161689', sampler: 'DPM++ 2M', scheduler: 'Karras', steps: 20, cfg_scale: 7,
      width: 64, height: 64, app_type: 'a1111', rating: 0, favourite: false,
    });
    expect(castle.loras).toEqual(expect.arrayContaining([{ name: 'detailTweaker', weight: 0.8 }, { name: 'addMoreDetails', weight: 1 }]));
    expect(castle.settings).toMatchObject({ positive_prompt: castle.positive_prompt, seed: 1001, checkpoint_name: 'juggernautXL_v9', sampler_name: 'DPM++ 2M', steps: 20 });

    const forest = await byPath('forge/2025-05-01/00002-1002.jpg');
    expect(forest).toMatchObject({
      positive_prompt: 'misty forest at dawn, volumetric light', negative_prompt: 'people', seed: 1002, checkpoint: 'dreamshaper_8',
      sampler: 'Euler a', cfg_scale: 5.5, width: 64, height: 64,
    });

    const car = await byPath('comfy/ComfyUI_00001_.png');
    expect(car).toMatchObject({
      positive_prompt: 'a red sports car in the rain, neon reflections', negative_prompt: 'cartoon', seed: 1003,
      checkpoint: 'SDXL/juggernautXL_v9.safetensors', sampler: 'euler_ancestral', scheduler: 'normal', steps: 25, cfg_scale: 6.5, app_type: 'comfyui',
    });
    expect(car.loras).toEqual([{ name: 'neonGlow', weight: 0.6 }]);
    expect(car.settings).toMatchObject({ loras: [{ name: 'neonGlow', weight: 0.6 }] });

    const sailor = await byPath('invoke/8c1f.png');
    expect(sailor).toMatchObject({ positive_prompt: 'portrait of an old sailor', seed: 1004, checkpoint: 'RealVisXL', app_type: 'invokeai' });
    expect(sailor.loras).toEqual([{ name: 'filmGrain', weight: 0.75 }]);

    // The thumbnail and the original come from the folder itself.
    const thumb = await fetch(`${sq.url}${castle.thumbnail_url}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const original = Buffer.from(await (await fetch(`${sq.url}${castle.download_url}`)).arrayBuffer());
    expect(original.equals(fs.readFileSync(path.join(folder.dir, 'forge/2025-05-01/00001-1001.png')))).toBe(true);
  });

  it('counts facets with one name per checkpoint', async () => {
    const facets = (await api<GalleryFacets>(sq.url, 'GET', `/api/v1/gallery/facets?source=${source.id}`)).body;
    expect(facets.checkpoints).toContainEqual({ value: 'juggernautXL_v9', count: 2 });
    expect(facets.checkpoints).toContainEqual({ value: 'bulkModel', count: 50 });
    expect(facets.loras).toEqual(expect.arrayContaining([{ value: 'detailTweaker', count: 1 }, { value: 'neonGlow', count: 1 }]));
    expect(facets.sources).toContainEqual({ value: String(source.id), label: path.basename(folder.dir), count: 54 });
    expect(facets.sizes).toContainEqual({ value: '64x64', count: 54 });
    // The checkpoint filter takes either spelling.
    expect((await list('checkpoint=juggernautXL_v9.safetensors')).total).toBe(2);
  });

  it('searches by a word, a phrase, a prefix and a LoRA name, and matches exactly those images', async () => {
    expect(paths(await list('q=castle'))).toEqual(['forge/2025-05-01/00001-1001.png']);
    expect(paths(await list(`q=${encodeURIComponent('"red sports car"')}`))).toEqual(['comfy/ComfyUI_00001_.png']);
    expect((await list(`q=${encodeURIComponent('"car sports red"')}`)).total).toBe(0);
    expect(paths(await list('q=sail*'))).toEqual(['invoke/8c1f.png']);
    expect(paths(await list('q=tree+number+7'))).toEqual(['bulk/img-007.png']);
    // The negative prompt is searched too.
    expect(paths(await list('q=lowres'))).toEqual(['forge/2025-05-01/00001-1001.png']);
    expect(paths(await list('lora=detailTweaker'))).toEqual(['forge/2025-05-01/00001-1001.png']);
    expect(paths(await list('lora=addMoreDetails'))).toEqual(['forge/2025-05-01/00001-1001.png']);
    expect(paths(await list('lora=neonglow'))).toEqual(['comfy/ComfyUI_00001_.png']);
    expect(paths(await list('lora=filmGrain'))).toEqual(['invoke/8c1f.png']);
    expect(paths(await list('q=tree&sampler=Euler+a'))).toEqual([]);
    // Query syntax in the box is matched as words, never a 500.
    for (const q of ['"unbalanced', 'NEAR(a b)', 'prompt:castle', '*', 'AND OR NOT', '(((']) {
      expect((await api(sq.url, 'GET', `/api/v1/gallery/images?q=${encodeURIComponent(q)}`)).status).toBe(200);
    }
  });

  it('sorts by rating, pages through it without repeats, and filters by rating and favourite', async () => {
    const car = await byPath('comfy/ComfyUI_00001_.png');
    const castle = await byPath('forge/2025-05-01/00001-1001.png');
    const sailor = await byPath('invoke/8c1f.png');
    expect((await api(sq.url, 'PATCH', `/api/v1/images/${car.id}`, { rating: 5, note: 'cover shot' })).body).toMatchObject({ rating: 5, note: 'cover shot' });
    await api(sq.url, 'PATCH', `/api/v1/images/${castle.id}`, { rating: 3, favourite: true });
    await api(sq.url, 'PATCH', `/api/v1/images/${sailor.id}`, { rating: 4 });
    const top = await list(`source=${source.id}&sort=rating&limit=3`);
    expect(top.images.map((i) => i.id)).toEqual([car.id, sailor.id, castle.id]);
    expect((await list('rating_min=4')).total).toBe(2);
    expect(paths(await list('favourite=true'))).toEqual(['forge/2025-05-01/00001-1001.png']);

    const seen: number[] = [];
    for (const sort of ['rating', 'oldest', 'random']) {
      seen.length = 0;
      let cursor: string | null = null;
      do {
        const query: string = `source=${source.id}&sort=${sort}&random_seed=7&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await api<GalleryPage>(sq.url, 'GET', `/api/v1/gallery/images?${query}`);
        seen.push(...res.body.images.map((i) => i.id));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(new Set(seen).size, sort).toBe(54);
    }
    expect((await api(sq.url, 'PATCH', `/api/v1/images/${car.id}`, { rating: 6 })).status).toBe(400);
  });

  it('picks up a file added later without a rescan, and drops one removed outside StableQueue', async () => {
    write('forge/new/00099-9.png', await forgePng({ prompt: 'a sleeping dragon', seed: 9, model: 'juggernautXL_v9' }));
    await waitFor(async () => (await list('q=dragon')).total === 1, { timeoutMs: 20_000, what: 'the new file to be indexed' });
    fs.rmSync(path.join(folder.dir, 'forge/new/00099-9.png'));
    await waitFor(async () => (await list('q=dragon')).total === 0, { timeoutMs: 20_000, what: 'the removed file to leave' });
  });

  it('streams a zip of 50 chosen images holding their original bytes', async () => {
    const bulk = (await list('q=bulk')).images;
    expect(bulk).toHaveLength(50);
    const res = await fetch(`${sq.url}/api/v1/gallery/download`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: bulk.map((i) => i.id) }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="stablequeue-50-images.zip"');
    // Streamed: no length known up front.
    expect(res.headers.get('content-length')).toBeNull();
    const zip = await unzipper.Open.buffer(Buffer.from(await res.arrayBuffer()));
    expect(zip.files).toHaveLength(50);
    for (const entry of zip.files) {
      const original = fs.readFileSync(path.join(folder.dir, 'bulk', entry.path));
      expect((await entry.buffer()).equals(original), entry.path).toBe(true);
    }
    expect((await api(sq.url, 'POST', '/api/v1/gallery/download', { ids: Array.from({ length: 10_001 }, (_, i) => i + 1) })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/download', { ids: [] })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/download', { ids: [999_999] })).status).toBe(404);
  });

  it('keeps collections and applies bulk actions to ids or to everything a filter matches', async () => {
    const created = await api<{ id: number }>(sq.url, 'POST', '/api/v1/gallery/collections', { name: 'Trees' });
    expect(created.status).toBe(201);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/collections', { name: 'trees' })).status).toBe(409);
    const bulk = await api(sq.url, 'POST', '/api/v1/gallery/bulk', { filter: { q: 'tree' }, action: 'add_to_collection', params: { collection_id: created.body.id } });
    expect(bulk.body).toEqual({ matched: 50, changed: 50 });
    expect((await list(`collection=${created.body.id}`)).total).toBe(50);
    const collections = (await api(sq.url, 'GET', '/api/v1/gallery/collections')).body;
    expect(collections).toContainEqual(expect.objectContaining({ name: 'Trees', image_count: 50 }));
    const first = (await list(`collection=${created.body.id}&sort=oldest&limit=1`)).images[0];
    expect(first.collection_ids).toEqual([created.body.id]);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/bulk', { ids: [first.id], filter: {}, action: 'favourite' })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/bulk', { ids: [first.id], action: 'rate' })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/bulk', { ids: [first.id], action: 'explode' })).status).toBe(400);
  });
});

describe('delete safely', () => {
  it('moves StableQueue\'s own image to the trash, restores it with undo, and purges it after the retention', async () => {
    emulators = await addForgeServers(sq.url, 1, { stepMs: 2 });
    const submitted = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1', generation_params: { positive_prompt: 'own lighthouse <lora:glowUp:0.5>', negative_prompt: 'fog', steps: 3, width: 64, height: 64, seed: 77 },
    });
    const jobId = submitted.body.mobilesd_job_id as string;
    await waitForJobs(sq.url, [jobId]);
    const own = (await list(`job_id=${jobId}`)).images[0];
    expect(own).toMatchObject({ source_id: null, job_id: jobId, positive_prompt: 'own lighthouse <lora:glowUp:0.5>', negative_prompt: 'fog', seed: 77 });
    expect(own.loras).toContainEqual({ name: 'glowUp', weight: 0.5 });
    const file = path.join(sq.engine.config.outputsDir, (sq.engine.db.prepare('SELECT file_path FROM images WHERE id = ?').get(own.id) as { file_path: string }).file_path);
    const bytes = fs.readFileSync(file);

    expect((await api(sq.url, 'DELETE', `/api/v1/images/${own.id}`)).status).toBe(200);
    expect(fs.existsSync(file)).toBe(false);
    expect((await list(`job_id=${jobId}`)).total).toBe(0);
    const trash = (await api(sq.url, 'GET', '/api/v1/gallery/trash')).body;
    expect(trash.items).toContainEqual(expect.objectContaining({ file_in_trash: true, image: expect.objectContaining({ id: own.id }) }));

    expect((await api(sq.url, 'POST', `/api/v1/gallery/trash/${own.id}/restore`)).status).toBe(200);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect((await list(`job_id=${jobId}`)).images.map((i) => i.id)).toEqual([own.id]);

    await api(sq.url, 'DELETE', `/api/v1/images/${own.id}`);
    expect((await api(sq.url, 'GET', `/api/v1/images/${own.id}`)).status).toBe(404);
    const inTrash = async () => (await api<{ items: { image: { id: number } }[] }>(sq.url, 'GET', '/api/v1/gallery/trash')).body.items.some((i) => i.image.id === own.id);
    offset += 29 * DAY_MS;
    await new Promise((r) => setTimeout(r, 600));
    expect(await inTrash()).toBe(true);
    expect((await fetch(`${sq.url}${own.thumbnail_url}`)).status).toBe(200);
    offset += 2 * DAY_MS;
    await waitFor(async () => !(await inTrash()), { what: 'the purge' });
    expect((await fetch(`${sq.url}${own.download_url}`)).status).toBe(404);
    expect(fs.readdirSync(path.join(sq.engine.config.outputsDir, '.trash'))).toEqual([]);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('only hides an outside file unless deleting the file is asked for; both undo', async () => {
    const sailor = await byPath('invoke/8c1f.png');
    const sailorFile = path.join(folder.dir, 'invoke/8c1f.png');
    expect((await api(sq.url, 'DELETE', `/api/v1/images/${sailor.id}`)).status).toBe(200);
    expect(fs.existsSync(sailorFile)).toBe(true);
    expect((await list('q=sailor')).total).toBe(0);
    const trash = (await api(sq.url, 'GET', '/api/v1/gallery/trash')).body;
    expect(trash.items).toContainEqual(expect.objectContaining({ file_in_trash: false, image: expect.objectContaining({ id: sailor.id }) }));
    await api(sq.url, 'POST', `/api/v1/gallery/trash/${sailor.id}/restore`);
    expect((await list('q=sailor')).images.map((i) => i.id)).toEqual([sailor.id]);

    const forest = await byPath('forge/2025-05-01/00002-1002.jpg');
    const forestFile = path.join(folder.dir, 'forge/2025-05-01/00002-1002.jpg');
    const bytes = fs.readFileSync(forestFile);
    expect((await api(sq.url, 'DELETE', `/api/v1/images/${forest.id}?delete_file=true`)).status).toBe(200);
    expect(fs.existsSync(forestFile)).toBe(false);
    // The watcher sees the file go, but a trashed image keeps its row for the undo.
    await new Promise((r) => setTimeout(r, 1500));
    await api(sq.url, 'POST', `/api/v1/gallery/trash/${forest.id}/restore`);
    expect(fs.readFileSync(forestFile).equals(bytes)).toBe(true);
    expect((await list('q=misty')).images.map((i) => i.id)).toEqual([forest.id]);

    // Hidden past the retention: stays out of the gallery, even after a rescan.
    await api(sq.url, 'DELETE', `/api/v1/images/${sailor.id}`);
    offset += 31 * DAY_MS;
    await waitFor(async () => !(await api<{ items: { image: { id: number } }[] }>(sq.url, 'GET', '/api/v1/gallery/trash')).body.items.some((i) => i.image.id === sailor.id), { what: 'the purge' });
    expect((await api(sq.url, 'POST', `/api/v1/gallery/sources/${source.id}/rescan`)).status).toBe(202);
    await waitFor(async () => (await api<GallerySource[]>(sq.url, 'GET', '/api/v1/gallery/sources')).body[0].state === 'watching');
    expect((await list('q=sailor')).total).toBe(0);
    expect(fs.existsSync(sailorFile)).toBe(true);
  });
});

describe('bad input', () => {
  it('answers malformed gallery requests with a clear 4xx', async () => {
    expect((await api(sq.url, 'POST', '/api/v1/gallery/sources', { path: '/no/such/folder' })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/sources', { path: folder.dir })).status).toBe(409);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/sources', { path: sq.engine.config.outputsDir })).status).toBe(409);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/sources', { path: 'x'.repeat(5000) })).status).toBe(400);
    expect((await api(sq.url, 'GET', '/api/v1/gallery/images?size=big')).status).toBe(400);
    expect((await api(sq.url, 'GET', '/api/v1/gallery/images?cursor=bm9wZQ')).status).toBe(400);
    expect((await api(sq.url, 'GET', '/api/v1/gallery/images?sort=sideways')).status).toBe(400);
    expect((await api(sq.url, 'GET', '/api/v1/gallery/images?source=../etc')).status).toBe(400);
    expect((await api(sq.url, 'PATCH', '/api/v1/images/1', {})).status).toBe(400);
    expect((await api(sq.url, 'PATCH', '/api/v1/images/999999', { rating: 2 })).status).toBe(404);
    expect((await api(sq.url, 'POST', '/api/v1/gallery/trash/999999/restore')).status).toBe(404);
  });
});
