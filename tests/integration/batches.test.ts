import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTION_H, CELL_MIN, HEADER_H, ROW_LABEL_W, SHEET_GAP, SHEET_TEXT_KEY, TITLE_H } from '../../electron/engine/batches/contact-sheet.ts';
import { readPngText } from '../../electron/engine/results/png-text.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers, generationRequests } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

const CKPT_A = 'v1-5-pruned-emaonly.safetensors';
const CKPT_B = 'sdxl/juggernautXL_v9.safetensors';
const base = (params: Record<string, unknown> = {}) => ({ target_server_alias: 'f1', generation_params: { steps: 2, width: 64, height: 64, ...params } });

describe('POST /api/v1/batches makes a grid of jobs and a contact sheet', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator[];
  let wildcardsDir: string;

  beforeAll(async () => {
    sq = await startTestEngine();
    wildcardsDir = path.join(sq.dataDir, 'wildcards');
    fs.mkdirSync(path.join(wildcardsDir, 'colors'), { recursive: true });
    fs.writeFileSync(path.join(wildcardsDir, 'animals.txt'), '# four-legged\ncat\n\ndog\n');
    fs.writeFileSync(path.join(wildcardsDir, 'colors', 'warm.txt'), 'red\norange\n');
    forge = await addForgeServers(sq.url, 1, { stepMs: 2 });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'server online' });
  }, 90_000);
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forge.map((f) => f.close()));
  });

  it('3 prompts × 2 checkpoints × 4 seeds: 24 jobs in one batch, all complete, each with its own values; the contact sheets are labelled from the axes', async () => {
    const prompts = ['a lighthouse', 'a red fox', 'an old oak'];
    const seeds = [11, 22, 33, 44];
    const res = await api(sq.url, 'POST', '/api/v1/batches', {
      base: base(), name: 'grid test', axes: { positive_prompt: prompts, checkpoint_name: [CKPT_A, CKPT_B], seed: seeds },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.job_count).toBe(24);
    const ids = res.body.mobilesd_job_ids as string[];
    expect(new Set(ids).size).toBe(24);

    const done = await waitForJobs(sq.url, ids, 120_000);
    expect(done.map((j: any) => j.status)).toEqual(Array(24).fill('completed'));
    // Every combination ran exactly once, and one checkpoint's jobs ran together (one model switch, not 12).
    const sent = generationRequests(forge[0]).map((r) => r.body as any).filter((b) => seeds.includes(b.seed));
    const combos = sent.map((b) => `${b.prompt}|${b.override_settings?.sd_model_checkpoint ?? ''}|${b.seed}`);
    expect(new Set(combos).size).toBe(24);
    const checkpointOrder = sent.map((b) => String(b.override_settings?.sd_model_checkpoint ?? ''));
    const switches = checkpointOrder.filter((c, i) => i > 0 && c !== checkpointOrder[i - 1]).length;
    expect(switches).toBe(1);

    const batch = await waitFor(async () => {
      const view = (await api(sq.url, 'GET', `/api/v1/batches/${res.body.batch_id}`)).body;
      return view.status === 'finished' ? view : null;
    }, { timeoutMs: 30_000, what: 'batch finished' });
    expect(batch).toMatchObject({ job_count: 24, done: 24, name: 'grid test' });
    expect(batch.counts.completed).toBe(24);
    // Columns: prompts, rows: checkpoints, one sheet per seed.
    expect(batch.contact_sheets).toHaveLength(4);
    expect(batch.contact_sheets.map((s: any) => s.title)).toEqual(seeds.map((s) => `Seed: ${s}`));

    const png = Buffer.from(await (await fetch(`${sq.url}${batch.contact_sheets[0].url}`)).arrayBuffer());
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    // 3 columns and 2 rows of cells (64×64 images scaled up to the smallest cell), the row labels on the left, the headers and the title on top.
    expect(meta.width).toBe(ROW_LABEL_W + 3 * CELL_MIN + 4 * SHEET_GAP);
    expect(meta.height).toBe(TITLE_H + HEADER_H + 2 * CELL_MIN + 3 * SHEET_GAP);
    const labels = JSON.parse(readPngText(png)[SHEET_TEXT_KEY]);
    expect(labels.columns.labels).toEqual(prompts.map((p) => `Prompt: ${p}`));
    expect(labels.rows.labels).toEqual(['Checkpoint: v1-5-pruned-emaonly', 'Checkpoint: juggernautXL_v9']);
    expect(labels.title).toBe('Seed: 11');

    // The sheet is in the gallery as a grid image, next to the batch's images.
    const grids = (await api(sq.url, 'GET', '/api/v1/gallery/images?kind=grid&limit=50')).body;
    expect(grids.images.map((i: any) => i.id)).toEqual(expect.arrayContaining(batch.contact_sheets.map((s: any) => s.image_id)));
    // Queue rows carry the batch id.
    const list = (await api(sq.url, 'GET', '/api/v1/queue/jobs?status=completed&limit=200')).body.jobs as any[];
    expect(list.filter((j) => j.batch_id === res.body.batch_id)).toHaveLength(24);
    // The sheets belong to the batch: no job of it counts or lists them among its own images.
    expect(list.filter((j) => j.batch_id === res.body.batch_id).map((j) => j.image_count)).toEqual(Array(24).fill(1));
    const sheetIds = new Set(batch.contact_sheets.map((s: any) => s.image_id));
    for (const job of list.filter((j) => j.batch_id === res.body.batch_id).slice(0, 4)) {
      const images = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${job.mobilesd_job_id}/status`)).body.images as any[];
      expect(images.map((i) => i.kind)).toEqual(['result']);
      expect(images.some((i) => sheetIds.has(i.id))).toBe(false);
    }
    // The batch.finished notification went into the outbox with the counts.
    const events = sq.engine.db.prepare(`SELECT data_json FROM notify_events WHERE type = 'batch.finished'`).all() as { data_json: string }[];
    const notified = events.map((e) => JSON.parse(e.data_json)).find((d) => d.batch_id === res.body.batch_id);
    expect(notified).toMatchObject({ name: 'grid test', job_count: 24, completed: 24, failed: 0, cancelled: 0 });
  }, 180_000);

  it('expands {a|b} and __wildcards__ combinatorially, and a seeded random batch picks the same prompts again', async () => {
    const template = 'a {tiny|huge} __animals__ in __colors/warm__';
    const combinatorial = await api(sq.url, 'POST', '/api/v1/batches', { base: base({ positive_prompt: template }), axes: { seed: [5] }, dry_run: true });
    expect(combinatorial.status, JSON.stringify(combinatorial.body)).toBe(200);
    expect(combinatorial.body.batch_id).toBeNull();
    expect(combinatorial.body.job_count).toBe(8);
    expect(combinatorial.body.preview.map((p: any) => p.positive_prompt)).toEqual([
      'a tiny cat in red', 'a tiny cat in orange', 'a tiny dog in red', 'a tiny dog in orange',
      'a huge cat in red', 'a huge cat in orange', 'a huge dog in red', 'a huge dog in orange',
    ]);

    const random = (seed: number) => api(sq.url, 'POST', '/api/v1/batches', {
      base: base({ positive_prompt: template }), axes: { seed: { random: 6 } }, prompt_mode: 'random', prompt_seed: seed, dry_run: true,
    });
    const [first, again, other] = await Promise.all([random(42), random(42), random(7)]);
    expect(first.body.job_count).toBe(6);
    const prompts = (r: typeof first) => r.body.preview.map((p: any) => p.positive_prompt);
    expect(prompts(again)).toEqual(prompts(first));
    expect(prompts(other)).not.toEqual(prompts(first));
    for (const prompt of prompts(first)) expect(prompt).toMatch(/^a (tiny|huge) (cat|dog) in (red|orange)$/);

    const missing = await api(sq.url, 'POST', '/api/v1/batches', { base: base({ positive_prompt: 'a __nowhere__' }), axes: { seed: [1] }, dry_run: true });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('__nowhere__');
  });

  it('refuses a batch over the cap with a 400 naming the count, and makes nothing', async () => {
    const before = (await api(sq.url, 'GET', '/api/v1/queue/state')).body.counts;
    const res = await api(sq.url, 'POST', '/api/v1/batches', {
      base: base(), axes: { seed: { random: 40 }, steps: [1, 2, 3, 4, 5], cfg_scale: [1, 2, 3, 4, 5, 6] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('batch_too_large');
    expect(res.body.message).toContain('1200 jobs');
    expect(res.body.message).toContain('1000');
    expect((await api(sq.url, 'GET', '/api/v1/queue/state')).body.counts).toEqual(before);

    // The cap is a setting.
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { batch_max_jobs: 10 })).status).toBe(200);
    const small = await api(sq.url, 'POST', '/api/v1/batches', { base: base(), axes: { seed: [1, 2, 3], steps: [1, 2, 3, 4] }, dry_run: true });
    expect(small.status).toBe(400);
    expect(small.body.message).toContain('12 jobs (3 seed × 4 steps)');
    await api(sq.url, 'PUT', '/api/v1/settings', { batch_max_jobs: 1000 });
  });

  it('an API key: the whole batch counts against its queue depth, and it acts only on its own batches', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const key = (await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'grid bot', permissions: ['submit', 'read'], max_queue_depth: 5 })).body;
    const other = (await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'other bot', permissions: ['submit', 'read'] })).body;
    const as = (k: any) => ({ 'x-api-key': k.key, 'x-api-secret': k.secret });
    const tooDeep = await api(sq.url, 'POST', '/api/v1/batches', { base: base(), axes: { seed: [1, 2, 3, 4, 5, 6] } }, as(key));
    expect(tooDeep.status).toBe(429);
    expect(tooDeep.body.message).toContain('6 jobs');
    const made = await api(sq.url, 'POST', '/api/v1/batches', { base: base(), axes: { seed: [1, 2, 3] } }, as(key));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect((await api(sq.url, 'POST', `/api/v1/batches/${made.body.batch_id}/cancel`, undefined, as(other))).status).toBe(403);
    const cancelled = await api(sq.url, 'POST', `/api/v1/batches/${made.body.batch_id}/cancel`, undefined, as(key));
    expect(cancelled.body.changed).toBe(3);
    await api(sq.url, 'POST', '/api/v1/queue/resume');
  });

  it('answers malformed batches with a clear 400', async () => {
    const cases: [unknown, string][] = [
      [{ base: base(), axes: { prompt: ['x'] } }, 'unknown_axis'],
      [{ base: base(), axes: { size: ['64 by 64'] } }, 'validation_error'],
      [{ base: base(), axes: { steps: [0] } }, 'validation_error'],
      [{ base: base(), axes: { sampler_name: { random: 3 } } }, 'validation_error'],
      [{ base: base(), axes: { seed: [1, 2], steps: [1, 2, 3] }, mode: 'zip' }, 'zip_lengths_differ'],
      [{ base: base(), axes: {} }, 'validation_error'],
      [{ base: base({ positive_prompt: 'a {red|blue' }), axes: { seed: [1] } }, 'bad_prompt'],
      [{ base: base(), axes: { seed: [1] }, extra: true }, 'validation_error'],
    ];
    for (const [body, code] of cases) {
      const res = await api(sq.url, 'POST', '/api/v1/batches', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error, JSON.stringify(res.body)).toBe(code);
    }
  });

  it('a zipped batch with size and LoRA-weight axes sets both fields per job; cancel stops the whole batch', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const res = await api(sq.url, 'POST', '/api/v1/batches', {
      base: base({ positive_prompt: 'a cat, style' }), mode: 'zip',
      axes: { size: ['64x64', '128x64'], 'lora:add_detail': [0.2, 0.8], prompt_sr: ['style', 'watercolor'] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const jobs = await Promise.all(res.body.mobilesd_job_ids.map(async (id: string) => (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body));
    expect(jobs.map((j: any) => [j.generation_params.width, j.generation_params.height, j.generation_params.loras, j.generation_params.positive_prompt])).toEqual([
      [64, 64, [{ name: 'add_detail', weight: 0.2 }], 'a cat, style'],
      [128, 64, [{ name: 'add_detail', weight: 0.8 }], 'a cat, watercolor'],
    ]);
    const hold = await api(sq.url, 'POST', `/api/v1/batches/${res.body.batch_id}/hold`);
    expect(hold.body).toMatchObject({ changed: 2, batch: { counts: { held: 2, pending: 0 } } });
    const release = await api(sq.url, 'POST', `/api/v1/batches/${res.body.batch_id}/release`);
    expect(release.body).toMatchObject({ changed: 2, batch: { counts: { held: 0, pending: 2 } } });
    expect((await api(sq.url, 'POST', `/api/v1/batches/${res.body.batch_id}/explode`)).status).toBe(400);
    const cancel = await api(sq.url, 'POST', `/api/v1/batches/${res.body.batch_id}/cancel`);
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(cancel.body.changed).toBe(2);
    expect(cancel.body.batch.counts.cancelled).toBe(2);
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    const finished = await waitFor(async () => {
      const view = (await api(sq.url, 'GET', `/api/v1/batches/${res.body.batch_id}`)).body;
      return view.status === 'finished' ? view : null;
    }, { what: 'cancelled batch finished' });
    // A batch of one axis is one captioned sheet; cancelled cells are marked, not left out.
    expect(finished.contact_sheets).toHaveLength(1);
    const png = Buffer.from(await (await fetch(`${sq.url}${finished.contact_sheets[0].url}`)).arrayBuffer());
    const meta = await sharp(png).metadata();
    expect(meta.width).toBe(2 * CELL_MIN + 3 * SHEET_GAP);
    expect(meta.height).toBe(1 * (CELL_MIN + CAPTION_H) + 2 * SHEET_GAP);

    // Retried, the batch runs again and finishes again, with a new sheet of the finished images.
    const retry = await api(sq.url, 'POST', `/api/v1/batches/${res.body.batch_id}/retry`);
    expect(retry.body).toMatchObject({ changed: 2, batch: { status: 'active', finished_at: null } });
    const again = await waitFor(async () => {
      const view = (await api(sq.url, 'GET', `/api/v1/batches/${res.body.batch_id}`)).body;
      return view.status === 'finished' ? view : null;
    }, { what: 'retried batch finished' });
    expect(again.counts.completed).toBe(2);
    expect(again.contact_sheets).toHaveLength(1);
    const second = await sharp(Buffer.from(await (await fetch(`${sq.url}${again.contact_sheets[0].url}`)).arrayBuffer())).metadata();
    // Now the cells hold the 64×64 and 128×64 images: cells as wide as the widest, scaled up to the smallest cell.
    expect(second.width).toBe(2 * 2 * CELL_MIN + 3 * SHEET_GAP);
    const notices = sq.engine.db.prepare(`SELECT COUNT(*) AS n FROM notify_events WHERE type = 'batch.finished' AND json_extract(data_json, '$.batch_id') = ?`).get(res.body.batch_id) as { n: number };
    expect(notices.n).toBe(2);

    const list = await api(sq.url, 'GET', '/api/v1/batches');
    expect(list.body.batches.map((b: any) => b.batch_id)).toContain(res.body.batch_id);
    expect((await api(sq.url, 'GET', '/api/v1/batches/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
