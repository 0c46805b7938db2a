/**
 * The visual model picker of Generate in Chromium, against the headless server with a real
 * model library, a Forge stand-in listing that library and the Civitai emulator: pick a
 * checkpoint, pick a LoRA and take its trigger words at its preferred weight, see the
 * base-model warning (SD 1.5 LoRA on an SDXL checkpoint) in the picker and in Generate,
 * and download a LoRA that is only on Civitai from the picker. Desktop and phone.
 * Writes tests/e2e/screenshots/model-picker-{desktop,phone}*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCivitaiEmulator, type CivitaiEmulator } from '../../emulators/civitai/index.ts';
import { startFolderForge, type FolderForge } from '../../emulators/civitai/folder-forge.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { DESKTOP, launchChromium, newPage, PHONE, screenshot, skipReason, startHeadlessServer, waitFor, type HeadlessServer } from '../helpers/ui-env.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the model picker tests: ${reason}`);

function writeModel(dir: string, file: string, info: Record<string, unknown>, userJson?: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), Buffer.alloc(4096, file.length));
  const base = file.replace(/\.safetensors$/, '');
  fs.writeFileSync(path.join(dir, `${base}.civitai.info`), JSON.stringify(info));
  if (userJson) fs.writeFileSync(path.join(dir, `${base}.json`), JSON.stringify(userJson));
}

describe.skipIf(!!reason)('the model picker in Generate', { timeout: 180_000 }, () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let civitai: CivitaiEmulator;
  let forge: FolderForge;
  let server: HeadlessServer;
  let browser: Browser;
  let loraDir: string;

  beforeAll(async () => {
    tmp = makeTempDir('sq-picker-');
    const ckptDir = path.join(tmp.dir, 'Stable-diffusion');
    loraDir = path.join(tmp.dir, 'Lora');
    writeModel(ckptDir, 'juggernautXL.safetensors', { id: 501, modelId: 50, baseModel: 'SDXL 1.0', name: 'v9', model: { name: 'Juggernaut XL' } });
    writeModel(loraDir, 'inkstyle.safetensors', { id: 601, modelId: 60, baseModel: 'SD 1.5', name: 'v1', trainedWords: ['inkstyle'], model: { name: 'Ink Style' } },
      { 'activation text': 'ink wash, brush strokes', 'preferred weight': 0.7 });
    civitai = await startCivitaiEmulator();
    await civitai.addModel({ name: 'Film Grain XL', type: 'LORA', versions: [{ name: 'v2', baseModel: 'SDXL 1.0', trainedWords: ['film grain'], files: [{ name: 'filmGrainXL.safetensors', size: 50_000 }] }] });
    forge = await startFolderForge({ checkpoints: ckptDir, loras: loraDir });
    server = await startHeadlessServer({ CHECKPOINT_PATH: ckptDir, LORA_PATH: loraDir, CIVITAI_BASE_URL: civitai.apiUrl });
    const post = (p: string, body: unknown) => fetch(`${server.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/v1/servers', { alias: 'forge-1', app_type: 'forge', api_url: forge.url })).status).toBe(201);
    expect((await post('/api/v1/models/scan', { wait: true })).status).toBe(200);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await forge?.close();
    await civitai?.close();
    tmp?.cleanup();
  });

  async function openGenerate(size: typeof DESKTOP | typeof PHONE): Promise<Page> {
    const { page } = await newPage(browser, server.url, size);
    await page.goto('/');
    await page.locator('#g-positive').waitFor();
    await waitFor(async () => (await page.locator('#g-server option[value="forge-1"]').count()) > 0, 'forge-1 in the server list');
    await page.selectOption('#g-server', 'forge-1');
    return page;
  }

  it('picks a checkpoint and a LoRA with its trigger words, warns about the base model, downloads from Civitai', async () => {
    const page = await openGenerate(DESKTOP);
    await page.fill('#g-positive', 'a heron in the reeds');

    await page.getByRole('button', { name: 'Browse models' }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose a model' });
    const jugg = dialog.getByRole('article', { name: 'Juggernaut XL' });
    await expect.poll(() => jugg.textContent(), { timeout: 15_000 }).toContain('SDXL');
    expect(await jugg.textContent()).toContain('On forge-1');
    await jugg.getByRole('button', { name: 'Use Juggernaut XL' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Browse LoRAs' }).click();
    const ink = dialog.getByRole('article', { name: 'Ink Style' });
    await expect.poll(() => ink.textContent(), { timeout: 15_000 }).toContain('the checkpoint is SDXL');
    expect(await ink.textContent()).toContain('inkstyle');
    await screenshot(page, 'model-picker-desktop');
    await ink.getByRole('button', { name: 'Add Ink Style' }).click();
    const offer = dialog.getByRole('dialog', { name: 'Trigger words' });
    await offer.waitFor();
    expect(await offer.textContent()).toContain('inkstyle, ink wash, brush strokes');
    await offer.getByRole('button', { name: 'Add trigger words' }).click();
    await dialog.waitFor({ state: 'detached' });

    expect(await page.inputValue('#g-positive')).toBe('a heron in the reeds, inkstyle, ink wash, brush strokes');
    expect(await page.inputValue('#g-lora-0')).toBe('inkstyle');
    expect(Number(await page.inputValue('#g-lora-w-0'))).toBe(0.7);
    const notice = page.getByRole('status').filter({ hasText: 'is made for SD1' });
    await expect.poll(() => notice.count(), { timeout: 10_000 }).toBe(1);
    expect(await notice.textContent()).toContain('"juggernautXL.safetensors" is SDXL');
    await notice.scrollIntoViewIfNeeded();
    await screenshot(page, 'model-picker-desktop-warning');

    await page.getByRole('button', { name: 'Browse LoRAs' }).click();
    await dialog.getByRole('button', { name: 'Search Civitai too' }).click();
    const grain = dialog.getByRole('article', { name: 'Film Grain XL' });
    await grain.waitFor({ timeout: 15_000 });
    expect(await grain.textContent()).toContain('On Civitai');
    await grain.getByRole('button', { name: 'Download Film Grain XL' }).click();
    await waitFor(async () => fs.existsSync(path.join(loraDir, 'filmGrainXL.safetensors')), 'the LoRA file in the library', 30_000);
    // Once it has arrived the card is a library (or server) entry that can be added.
    await dialog.getByRole('button', { name: 'Add Film Grain XL' }).waitFor({ timeout: 20_000 });
    expect(await dialog.getByRole('button', { name: 'Download Film Grain XL' }).count()).toBe(0);
    await screenshot(page, 'model-picker-desktop-downloaded');
    await page.context().close();
  });

  it('the Models page: star a model, make a collection, filter by both, sort by use', async () => {
    const { page } = await newPage(browser, server.url, DESKTOP);
    await page.goto('/models');
    await page.getByRole('radio', { name: 'Library' }).click();
    const card = (name: string) => page.locator('.model-card').filter({ hasText: name });
    await card('Ink Style').waitFor({ timeout: 15_000 });
    await card('Ink Style').getByRole('button', { name: 'Star Ink Style' }).click();
    await card('Ink Style').getByRole('button', { name: 'Unstar Ink Style' }).waitFor();
    await page.getByLabel('Favourites').check();
    await expect.poll(() => page.locator('.model-card').count(), { timeout: 10_000 }).toBe(1);
    await page.getByLabel('Favourites').uncheck();

    await page.fill('#lib-new-collection', 'Portraits');
    await page.getByRole('button', { name: 'Make' }).click();
    await card('Juggernaut XL').getByLabel('Collections of Juggernaut XL').selectOption({ label: 'Portraits' });
    await page.selectOption('#lib-collection', { label: 'Portraits (1)' });
    await expect.poll(() => page.locator('.model-card').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('Juggernaut XL')]);
    await screenshot(page, 'model-library-collections-desktop');
    await page.selectOption('#lib-collection', '');
    await page.selectOption('#lib-sort', 'usage');
    await card('Ink Style').waitFor();
    await page.context().close();
  });

  it('works on a phone: cards in two columns, the LoRA added from the picker', async () => {
    const page = await openGenerate(PHONE);
    await page.getByRole('button', { name: 'Browse LoRAs' }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose a model' });
    const ink = dialog.getByRole('article', { name: 'Ink Style' });
    await ink.waitFor({ timeout: 15_000 });
    await screenshot(page, 'model-picker-phone');
    const box = await ink.boundingBox();
    expect(box!.width).toBeLessThan(PHONE.width / 2);
    await ink.getByRole('button', { name: 'Add Ink Style' }).click();
    await dialog.getByRole('button', { name: 'No, thanks' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.inputValue('#g-lora-0')).toBe('inkstyle');
    expect(await page.inputValue('#g-positive')).toBe('');
    await page.context().close();
  });
});
