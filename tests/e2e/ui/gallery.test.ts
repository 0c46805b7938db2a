/**
 * The gallery in Chromium at desktop and phone size against the real headless server:
 * images from Forge emulator jobs and from an indexed folder of real-shaped Forge PNGs in
 * one grid; search by word and phrase, filter by LoRA (the URL carries it), rate and
 * favourite from the viewer with the keyboard, bulk-select with shift and download the
 * zip (the response is a real zip of the originals), compare two images with the
 * differing settings highlighted, and Settings → Gallery sources. Sorted by rating, a
 * rating changed by another client offers a reload ("List changed"); the tab's own does not.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GalleryImage, GalleryPage, GallerySource } from '../../../shared/images.ts';
import { forgePng } from '../../helpers/gallery-fixtures.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { addServers, DESKTOP, launchChromium, newPage, PHONE, screenshot, skipReason, startUiEnv, waitFor, type UiEnv } from '../helpers/ui-env.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the gallery UI tests: ${reason}`);

const FOLDER_IMAGES = [
  { prompt: 'red fox in deep snow, <lora:fluffy_fur:0.8>', seed: 101, lora: 'fluffy_fur' },
  { prompt: 'red fox asleep under a tree', seed: 102 },
  { prompt: 'blue whale in the deep sea', seed: 103 },
  { prompt: 'castle on a hill at dawn, <lora:fluffy_fur:0.6>', seed: 104, lora: 'fluffy_fur' },
  { prompt: 'night city in the rain', seed: 105, steps: 30 },
];

describe.skipIf(!!reason)('Gallery UI', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let folder: ReturnType<typeof makeTempDir>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  const tiles = () => page.locator('.vgrid .cell');
  const list = (query = '') => env.api<GalleryPage>('GET', `/api/v1/gallery/images?limit=100${query}`);

  beforeAll(async () => {
    folder = makeTempDir('sq-ui-gallery-src-');
    for (const [i, f] of FOLDER_IMAGES.entries()) {
      const png = await forgePng({ prompt: f.prompt, seed: f.seed, model: 'juggernautXL_v9.safetensors', steps: f.steps, loraHashes: f.lora ? { [f.lora]: 'abcdef123456' } : undefined });
      fs.writeFileSync(path.join(folder.dir, `0000${i}-${f.seed}.png`), png);
    }
    env = await startUiEnv({ forgeStepMs: 5 });
    await addServers(env);
    for (const p of ['a lighthouse at dusk', 'a lighthouse in a storm']) {
      await env.api('POST', '/api/v1/generate', { target_server_alias: 'forge-local', generation_params: { positive_prompt: p, width: 64, height: 64, steps: 4 } });
    }
    await env.api<GallerySource>('POST', '/api/v1/gallery/sources', { path: folder.dir, label: 'Forge outputs' });
    await waitFor(async () => (await list()).total === FOLDER_IMAGES.length + 2, 'the jobs and the folder to reach the gallery', 60_000);
    browser = await launchChromium();
    ({ context, page, errors } = await newPage(browser, env.server.url, DESKTOP, { colorScheme: 'light' }));
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await env?.close();
    folder?.cleanup();
  });

  it('shows jobs and indexed images in one grid and searches by word and phrase', async () => {
    await page.goto('/gallery');
    await waitFor(async () => (await tiles().count()) === 7, 'seven tiles');
    await screenshot(page, 'gallery-desktop');
    const search = page.getByRole('searchbox', { name: 'Search prompts' });
    await search.fill('fox');
    await waitFor(async () => (await tiles().count()) === 2 && page.url().includes('q=fox'), 'two foxes and the URL');
    await search.fill('"deep snow"');
    await waitFor(async () => (await tiles().count()) === 1, 'one image for the phrase');
    await expect(tiles().first().getByRole('button').first().getAttribute('aria-label')).resolves.toContain('red fox in deep snow');
    await search.fill('');
    await waitFor(async () => (await tiles().count()) === 7, 'all seven again');
  });

  it('filters by LoRA with counts, and the URL carries the filter', async () => {
    await page.getByRole('button', { name: 'Filters' }).click();
    const lora = page.getByLabel('LoRA', { exact: true });
    await waitFor(async () => (await lora.locator('option').allTextContents()).some((t) => t === 'fluffy_fur (2)'), 'the LoRA facet with its count');
    await lora.selectOption('fluffy_fur');
    await waitFor(async () => (await tiles().count()) === 2 && page.url().includes('lora=fluffy_fur'), 'two images with the LoRA');
    await screenshot(page, 'gallery-filters-desktop');
    // A reload keeps the filter (it lives in the URL).
    await page.reload();
    await waitFor(async () => (await tiles().count()) === 2, 'the filter after a reload');
    await page.getByRole('button', { name: 'Filters' }).click();
    await expect(page.getByLabel('LoRA', { exact: true }).inputValue()).resolves.toBe('fluffy_fur');
    await page.getByRole('button', { name: 'Reset' }).click();
    await waitFor(async () => (await tiles().count()) === 7 && !page.url().includes('lora='), 'no filter');
    await page.getByRole('button', { name: 'Filters' }).click();
  });

  it('rates and favourites from the viewer with the keyboard', async () => {
    await tiles().first().getByRole('button').first().click();
    const viewer = page.getByRole('dialog', { name: /Image 1 of/ });
    await viewer.waitFor();
    const id = (await list()).images[0]!.id;
    const image = () => env.api<GalleryImage>('GET', `/api/v1/images/${id}`);
    await page.keyboard.press('4');
    await waitFor(async () => (await image()).rating === 4, 'rating 4 saved');
    await expect(viewer.getByRole('radio', { name: '4 stars' }).getAttribute('aria-checked')).resolves.toBe('true');
    await page.keyboard.press('f');
    await waitFor(async () => (await image()).favourite, 'favourite saved');
    await expect(viewer.getByRole('button', { name: 'Favourite' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await screenshot(page, 'gallery-lightbox-desktop');
    await page.keyboard.press('0');
    await waitFor(async () => (await image()).rating === 0, 'rating cleared');
    await page.keyboard.press('5');
    await waitFor(async () => (await image()).rating === 5, 'rating 5 saved');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
    // Sort by rating puts it first.
    await page.getByLabel('Order').selectOption('rating');
    await waitFor(async () => (await tiles().first().locator('.stars').textContent()) === '5', 'the rated image first');
    await page.getByLabel('Order').selectOption('');
  });

  it('sorted by rating, offers a reload ("List changed") for a rating changed elsewhere, not for its own', async () => {
    await page.getByLabel('Order').selectOption('rating');
    await waitFor(async () => (await tiles().first().locator('.stars').textContent()) === '5', 'the order by rating');
    const pill = page.locator('.new-pill');
    const sorted = (await list('&sort=rating')).images;
    const [own, other] = [sorted[1]!, sorted[2]!];
    await tiles().nth(1).getByRole('button').first().click();
    const viewer = page.getByRole('dialog', { name: /Image 2 of/ });
    await viewer.waitFor();
    // The tab takes the change's event by reading the facet counts again: that request says the event was handled.
    const eventHandled = page.waitForRequest((r) => r.url().includes('/api/v1/gallery/facets'), { timeout: 30_000 });
    await page.keyboard.press('3');
    await waitFor(async () => (await env.api<GalleryImage>('GET', `/api/v1/images/${own.id}`)).rating === 3, 'rating 3 saved');
    await eventHandled;
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
    expect(await pill.count()).toBe(0);
    // Another client rates a third image above it: the loaded order is out of date.
    await env.api('PATCH', `/api/v1/images/${other.id}`, { rating: 4 });
    await pill.waitFor({ timeout: 30_000 });
    // Nothing new arrived: the pill says the list changed.
    expect(await pill.textContent()).toContain('List changed');
    await screenshot(page, 'gallery-new-pill-desktop');
    await pill.click();
    const stars = async () => (await tiles().locator('.stars').allTextContents()).join(',');
    await waitFor(async () => (await stars()) === '5,4,3' && (await pill.count()) === 0, 'the reloaded order 5, 4, 3');
    await page.getByLabel('Order').selectOption('');
  });

  it('bulk-selects with shift and downloads a zip of the originals', async () => {
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    await tiles().nth(0).getByRole('button').first().click();
    await tiles().nth(2).getByRole('button').first().click({ modifiers: ['Shift'] });
    const bar = page.getByRole('toolbar', { name: 'Selected images' });
    await bar.getByText('3 selected').waitFor();
    await screenshot(page, 'gallery-select-desktop');
    const [response, download] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/gallery/download')),
      page.waitForEvent('download'),
      bar.getByRole('button', { name: 'Zip' }).click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/zip');
    expect(download.suggestedFilename()).toBe('stablequeue-3-images.zip');
    const zip = await unzipper.Open.buffer(fs.readFileSync(await download.path()));
    expect(zip.files).toHaveLength(3);
    const first = (await list()).images[0]!;
    const original = Buffer.from(await (await fetch(`${env.server.url}${first.download_url}`)).arrayBuffer());
    const inZip = await Promise.all(zip.files.map((f) => f.buffer()));
    expect(inZip.some((b) => b.equals(original))).toBe(true);
  });

  it('compares two images with the differing settings highlighted', async () => {
    const bar = page.getByRole('toolbar', { name: 'Selected images' });
    await bar.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('searchbox', { name: 'Search prompts' }).fill('fox');
    await waitFor(async () => (await tiles().count()) === 2, 'two foxes');
    // Still selecting (a new search clears the selection, not the mode).
    await expect(page.getByRole('button', { name: 'Select', exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
    await tiles().nth(0).getByRole('button').first().click();
    await tiles().nth(1).getByRole('button').first().click();
    await bar.getByRole('button', { name: 'Compare' }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare 2 images' });
    await dialog.waitFor();
    expect(await dialog.locator('figure img').count()).toBe(2);
    const differing = await dialog.locator('tr[data-differs="true"] th').allTextContents();
    expect(differing.map((t) => t.replace(' (differs)', ''))).toEqual(expect.arrayContaining(['Prompt', 'Seed', 'LoRAs']));
    const same = await dialog.locator('tr[data-differs="false"] th').allTextContents();
    expect(same).toEqual(expect.arrayContaining(['Checkpoint', 'Steps']));
    await screenshot(page, 'gallery-compare-desktop');
    await dialog.getByRole('button', { name: /Close/ }).click();
    await page.getByRole('button', { name: 'Stop selecting' }).click();
    await page.getByRole('searchbox', { name: 'Search prompts' }).fill('');
  });

  it('deletes from the viewer to the trash, and Undo brings the image back', async () => {
    await waitFor(async () => (await tiles().count()) === 7, 'all seven');
    const job = (await list()).images.find((i) => i.job_id !== null)!;
    const index = (await list()).images.findIndex((i) => i.id === job.id);
    await tiles().nth(index).getByRole('button').first().click();
    await page.getByRole('dialog', { name: /Image \d+ of/ }).waitFor();
    await page.keyboard.press('Delete');
    const ask = page.getByRole('dialog', { name: 'Delete this image?' });
    await ask.waitFor();
    // Focus starts on Cancel: a stray Enter deletes nothing.
    await expect(page.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe('Cancel');
    await ask.getByRole('button', { name: 'Delete image' }).click();
    await waitFor(async () => !(await list()).images.some((i) => i.id === job.id), 'the image out of the gallery');
    const trash = await env.api<{ items: { image: { id: number } }[] }>('GET', '/api/v1/gallery/trash');
    expect(trash.items.map((t) => t.image.id)).toContain(job.id);
    await page.getByRole('button', { name: 'Undo' }).click();
    await waitFor(async () => (await list()).images.some((i) => i.id === job.id), 'the image restored');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await tiles().count()) === 7, 'seven tiles again');
  });

  it('lists the folder in Settings → Gallery sources', async () => {
    await page.goto('/settings');
    const row = page.getByRole('listitem', { name: 'Source Forge outputs' });
    await row.waitFor();
    await row.getByText(/Watching for new images/).waitFor({ timeout: 20_000 });
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-gallery-sources-desktop');
    expect(errors).toEqual([]);
  });

  it('works at phone size: filters in a sheet, the URL filter, rating by tap', async () => {
    const phone = await newPage(browser, env.server.url, PHONE);
    try {
      const p = phone.page;
      await p.goto('/gallery?lora=fluffy_fur');
      await waitFor(async () => (await p.locator('.vgrid .cell').count()) === 2, 'the URL filter on the phone');
      await screenshot(p, 'gallery-phone');
      await p.getByRole('button', { name: 'Filters' }).click();
      const sheet = p.getByRole('dialog', { name: 'Filters' });
      await sheet.waitFor();
      await screenshot(p, 'gallery-filters-phone');
      await sheet.getByRole('button', { name: /^Show/ }).click();
      await sheet.waitFor({ state: 'hidden' });
      await p.locator('.vgrid .cell').first().getByRole('button').first().click();
      const viewer = p.getByRole('dialog', { name: /Image 1 of/ });
      await viewer.waitFor();
      await viewer.getByRole('button', { name: 'Show image info' }).click();
      await viewer.getByRole('radio', { name: '3 stars' }).click();
      const id = (await list('&lora=fluffy_fur')).images[0]!.id;
      await waitFor(async () => (await env.api<GalleryImage>('GET', `/api/v1/images/${id}`)).rating === 3, 'rating 3 from a tap');
      await screenshot(p, 'gallery-lightbox-phone');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

});
