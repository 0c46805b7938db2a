import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../../electron/engine/clock.ts';
import { openDatabase } from '../../electron/engine/db/connection.ts';
import { EventBus } from '../../electron/engine/event-bus.ts';
import { GalleryStore, type IndexedImage } from '../../electron/engine/gallery/gallery-store.ts';
import { EMPTY_METADATA } from '../../electron/engine/gallery/metadata/image-metadata.ts';
import { SourceIndexer } from '../../electron/engine/gallery/source-indexer.ts';
import { SourceStore } from '../../electron/engine/gallery/source-store.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { insertTextChunks, makePng } from '../emulators/png.ts';
import { comfyGraph, forgeInfotext } from '../helpers/gallery-fixtures.ts';
import { startHeadless } from '../helpers/headless-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { percentile, round, type BenchResult } from './stats.ts';

const WORDS = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`);
const COMMON = ['portrait', 'landscape', 'castle', 'forest', 'city', 'woman', 'man', 'dragon', 'car', 'sunset', 'night', 'rain'];
const STYLE = ['masterpiece', 'best quality', 'highly detailed', 'cinematic lighting', 'sharp focus', 'film grain', 'volumetric fog'];
const SAMPLERS = ['Euler a', 'DPM++ 2M', 'DPM++ SDE', 'Euler', 'UniPC', 'DDIM'];
/** A seeded generator, so every run indexes the same gallery. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A prompt of common subjects, style tags and a long tail of rarer words (Zipf-like). */
function promptFor(next: () => number): string {
  const parts = [COMMON[Math.floor(next() * COMMON.length)], STYLE[Math.floor(next() * STYLE.length)]];
  for (let k = 0; k < 6; k++) parts.push(WORDS[Math.floor(WORDS.length * next() ** 3)]);
  return parts.join(', ');
}

/** Indexing a folder of real-shaped PNGs (Forge infotext and ComfyUI graphs) from scratch, as a new gallery source. */
async function indexingSpeed(count: number): Promise<Record<string, number | string>> {
  const tmp = makeTempDir('sq-bench-gallery-scan-');
  try {
    const folder = path.join(tmp.dir, 'outputs');
    // A small picture: only the header and text chunks are read, so pixel bytes only cost disk here.
    const base = await makePng({ width: 256, height: 384, seed: 1 });
    const next = rng(7);
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const day = path.join(folder, `2025-${String(1 + (i % 12)).padStart(2, '0')}-01`);
      if (i < 12) fs.mkdirSync(day, { recursive: true });
      const prompt = promptFor(next);
      const text: Record<string, string> = i % 4 === 3
        ? { prompt: JSON.stringify(comfyGraph({ positive: prompt, negative: 'blurry', seed: i, ckpt: `model${i % 40}.safetensors`, loras: [{ name: `lora${i % 200}.safetensors`, strength: 0.7 }] })) }
        : { parameters: forgeInfotext({ prompt: `${prompt}, <lora:lora${i % 200}:0.8>`, negative: 'lowres', seed: i, model: `model${i % 40}`, width: 512, height: 768 }) };
      const file = insertTextChunks(base, text);
      bytes += file.length;
      fs.writeFileSync(path.join(day, `${String(i).padStart(5, '0')}-${i}.png`), file);
    }
    const db = openDatabase(path.join(tmp.dir, 'stablequeue.db'));
    const store = new GalleryStore(db);
    const sources = new SourceStore(db);
    const indexer = new SourceIndexer({ store, sources, bus: new EventBus(), clock: systemClock, logger: silentLogger(), outputsDir: path.join(tmp.dir, 'sq-outputs'), watch: false });
    // Event-loop stalls during indexing: the longest gap between timer ticks.
    let longestStall = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestStall = Math.max(longestStall, now - last - 5);
      last = now;
    }, 5);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const source = indexer.add(folder, 'bench');
    await indexer.idle();
    const seconds = (performance.now() - started) / 1000;
    // CPU time of this process (indexing runs in it): less swayed than wall time by other work on a shared machine.
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(ticker);
    const indexed = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM images WHERE source_id = ?').get(source.id)!.n;
    // A second scan of the unchanged folder: the resume path (only sizes and times compared).
    const again = performance.now();
    await indexer.rescan(source.id);
    await indexer.idle();
    const rescanSeconds = (performance.now() - again) / 1000;
    await indexer.stop();
    db.close();
    if (indexed !== count) throw new Error(`indexed ${indexed} of ${count} files`);
    return {
      index_files: count, index_mb: round(bytes / 1e6, 1), index_seconds: round(seconds),
      index_images_per_s: Math.round(count / seconds), index_target_per_s: 1500, index_ratio_to_target: round(count / seconds / 1500),
      index_images_per_cpu_s: Math.round(count / cpuSeconds),
      index_longest_stall_ms: round(longestStall), rescan_unchanged_seconds: round(rescanSeconds),
    };
  } finally {
    tmp.cleanup();
  }
}

/** Gallery pages from an index of `total` images, over HTTP from the headless server. */
async function queryLatency(total: number): Promise<Record<string, number | string>> {
  const tmp = makeTempDir('sq-bench-gallery-query-');
  try {
    const folder = path.join(tmp.dir, 'unplugged-drive');
    fs.mkdirSync(folder);
    const db = openDatabase(path.join(tmp.dir, 'stablequeue.db'));
    const store = new GalleryStore(db);
    const source = new SourceStore(db).add(folder, 'archive', new Date().toISOString());
    const next = rng(11);
    const start = Date.parse('2024-01-01T00:00:00Z');
    const fill = performance.now();
    for (let done = 0; done < total; done += 5000) {
      const batch: IndexedImage[] = [];
      for (let i = done; i < Math.min(total, done + 5000); i++) {
        const lora = `lora${Math.floor(200 * next() ** 2)}`;
        batch.push({
          source_id: source.id, file_path: `${Math.floor(i / 1000)}/${i}.png`, mime: 'image/png', bytes: 1_200_000,
          file_mtime_ms: start + i * 60_000, created_at: new Date(start + i * 60_000).toISOString(),
          meta: {
            ...EMPTY_METADATA, tool: 'a1111', positive_prompt: `${promptFor(next)}, <lora:${lora}:0.8>`, negative_prompt: 'lowres, blurry',
            seed: i, sampler: SAMPLERS[i % SAMPLERS.length], steps: 20 + (i % 20), cfg_scale: 7, width: i % 3 ? 832 : 1024, height: i % 3 ? 1216 : 1024,
            checkpoint: `model${Math.floor(40 * next() ** 2)}`, loras: [{ name: lora, weight: 0.8 }], extra: {},
          },
        });
      }
      store.upsertIndexed(batch);
    }
    const fillSeconds = (performance.now() - fill) / 1000;
    db.close();
    // The folder is gone (an unplugged drive): its rows stay, and the start-up scan leaves them alone.
    fs.rmSync(folder, { recursive: true });
    const sq = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
    try {
      const measure = async (queries: string[], pages = 1, headers: Record<string, string> = {}) => {
        const times: number[] = [];
        for (let i = 0; i < 240; i++) {
          let cursor: string | null = null;
          for (let p = 0; p < pages; p++) {
            const query: string = `${queries[i % queries.length]}${cursor ? `&cursor=${cursor}` : ''}`;
            const started = performance.now();
            const res = await fetch(`${sq.url}/api/v1/gallery/images?limit=100&${query}`, { headers });
            const body = await res.json() as { next_cursor: string | null; images: unknown[] };
            if (res.status !== 200) throw new Error(`${query}: ${res.status} ${JSON.stringify(body)}`);
            if (i >= 20) times.push(performance.now() - started);
            cursor = body.next_cursor;
            if (!cursor) break;
          }
        }
        return times;
      };
      const searches = [
        'q=castle&checkpoint=model3', 'q=portrait+masterpiece&sampler=DPM%2B%2B+2M', 'q=%22cinematic+lighting%22&lora=lora1',
        'q=dragon&size=1024x1024', 'q=w1*&checkpoint=model0', 'q=night&lora=lora0&sort=oldest',
      ];
      const filteredText = await measure(searches);
      // The same pages as a phone on the LAN gets them: through a proxy (so not local), with an API key, brotli-compressed.
      const key = await (await fetch(`${sq.url}/api/v1/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', permissions: ['read'] }) })).json() as { key: string; secret: string };
      const compressed = await measure(searches, 1, { 'x-forwarded-for': '192.168.1.20', 'x-api-key': key.key, 'x-api-secret': key.secret, 'accept-encoding': 'br' });
      const rareText = await measure(['q=w2bz&checkpoint=model1', 'q=w1a0', 'q=w2f1+forest']);
      const plain = await measure(['', 'sort=rating', 'checkpoint=model5'], 5);
      // Facets are kept while the gallery is unchanged; a rating change before each ask makes every one a fresh count.
      const facets = async (filters: string[], change: boolean) => {
        const times: number[] = [];
        for (let i = 0; i < 30; i++) {
          if (change) {
            const patched = await fetch(`${sq.url}/api/v1/images/${1 + i}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rating: 1 + (i % 5) }) });
            if (patched.status !== 200) throw new Error(`PATCH: ${patched.status}`);
          }
          const started = performance.now();
          const res = await fetch(`${sq.url}/api/v1/gallery/facets?${filters[i % filters.length]}`);
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`facets: ${res.status}`);
          // Kept answers: the first ask of each filter after the last change counts them afresh.
          if (change || i >= filters.length) times.push(performance.now() - started);
        }
        return times;
      };
      const facetFilters = ['', 'q=castle', 'checkpoint=model3', 'lora=lora1&sampler=Euler'];
      const facetsFresh = await facets(facetFilters, true);
      const facetsKept = await facets(facetFilters, false);
      const plainP95 = percentile(plain, 95);
      return {
        query_images: total, query_fill_seconds: round(fillSeconds),
        filter_and_text_p50_ms: round(percentile(filteredText, 50)), filter_and_text_p95_ms: round(percentile(filteredText, 95)),
        filter_and_text_compressed_p95_ms: round(percentile(compressed, 95)), rare_text_p95_ms: round(percentile(rareText, 95)), browse_5_pages_p95_ms: round(plainP95),
        query_target_p95_ms: 20, query_ratio_to_target: round(20 / percentile(filteredText, 95)),
        // The same run's plain pages (an index walk and the HTTP round trip) as the yardstick of this machine's load.
        filter_and_text_vs_browse: round(percentile(filteredText, 95) / plainP95),
        facets_fresh_p50_ms: round(percentile(facetsFresh, 50)), facets_fresh_p95_ms: round(percentile(facetsFresh, 95)),
        facets_kept_p95_ms: round(percentile(facetsKept, 95)), facets_target_p95_ms: 100,
        facets_ratio_to_target: round(100 / percentile(facetsFresh, 95)), facets_fresh_vs_browse: round(percentile(facetsFresh, 95) / plainP95),
      };
    } finally {
      await sq.terminate();
    }
  } finally {
    tmp.cleanup();
  }
}

/** The gallery index: indexing a folder of 10,000 PNGs, and pages of 100 with a filter and a text query over 100,000 images. */
export async function benchGalleryIndex(files = 10_000, total = 100_000): Promise<BenchResult> {
  const indexing = await indexingSpeed(files);
  const query = await queryLatency(total);
  // The machine's load when measured: the figures are only comparable at similar load.
  return {
    name: `Gallery index: ${files.toLocaleString('en')} PNGs indexed, pages over ${total.toLocaleString('en')} images`,
    figures: { ...indexing, ...query, load_average_1m: round(os.loadavg()[0]) },
  };
}
