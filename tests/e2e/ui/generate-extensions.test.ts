/**
 * ControlNet and ADetailer on the Generate page, in Chromium against two Forge emulators:
 * one with both extensions (their model lists come through StableQueue; a unit and a pass
 * arrive in alwayson_scripts as the extensions' APIs take them), one without (the section
 * is not shown). Styles too: a saved style with {prompt} is sent applied.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForgeEmulator, type ForgeEmulator } from '../../emulators/forge/index.ts';
import { ADETAILER_MODELS, CONTROLNET_MODELS } from '../../emulators/forge/extension-routes.ts';
import { makePng } from '../../emulators/png.ts';
import { newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the ControlNet / ADetailer UI tests: ${reason}`);

describe.skipIf(!!reason)('Generate: ControlNet, ADetailer and styles', { timeout: 180_000 }, () => {
  let env: UiEnv;
  let plain: ForgeEmulator;
  let browser: Browser;
  let page: Page;

  uiSession({ forgeStepMs: 2 }, (s) => ({ env, browser, page } = s));

  beforeAll(async () => {
    plain = await createForgeEmulator({ port: 0, stepMs: 2, alwaysonScripts: ['Refiner', 'Seed', 'Sampler'] });
    await env.api('POST', '/api/v1/servers', { alias: 'forge-plain', app_type: 'forge', api_url: plain.url });
    await env.api('POST', '/api/v1/styles', { name: 'Film', prompt: 'analog film photo of {prompt}, grain', negative_prompt: 'digital' });
  }, 90_000);

  afterAll(async () => {
    await plain?.close();
  });

  async function openWith(p: Page, target: string): Promise<void> {
    await p.goto('/');
    await p.evaluate((t) => localStorage.setItem('stablequeue.generate.form.v1', JSON.stringify({
      target: t, appType: 'forge', positive: 'a red fox', width: 64, height: 64, steps: 3,
    })), target);
    await p.goto('/');
    await p.getByRole('heading', { name: 'Prompt', exact: true }).waitFor();
  }

  it('a ControlNet unit, an ADetailer pass and a style reach Forge in the shape the extensions document', async () => {
    await openWith(page, 'forge-local');
    const section = page.getByRole('region', { name: 'ControlNet & ADetailer' });
    await section.waitFor();
    await section.getByRole('button', { name: 'Add unit' }).click();
    const control = await makePng({ width: 64, height: 64, seed: 9 });
    await section.getByLabel('Control image of unit 1').setInputFiles({ name: 'pose.png', mimeType: 'image/png', buffer: control });
    await section.getByLabel('Preprocessor').selectOption('canny');
    await section.getByLabel('Model', { exact: true }).selectOption(CONTROLNET_MODELS[0]!);
    await section.getByLabel('Control weight', { exact: true }).fill('0.8');
    await section.getByLabel('Control mode').selectOption('ControlNet is more important');
    await section.getByRole('switch', { name: 'ADetailer' }).click();
    await section.getByLabel('Detection model').selectOption('hand_yolov8n.pt');
    await section.getByLabel(/^Prompt/).fill('detailed hands');

    await page.getByLabel('Styles', { exact: true }).selectOption('Film');
    await expect.poll(() => page.getByTestId('styled-prompt').textContent()).toContain('analog film photo of a red fox, grain');
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'generate-controlnet-desktop');

    const before = env.forge.requests.filter((r) => r.path === '/sdapi/v1/txt2img').length;
    await page.getByRole('button', { name: 'Add to Queue' }).click();
    const body = await waitFor(async () => env.forge.requests.filter((r) => r.path === '/sdapi/v1/txt2img')[before]?.body as any, 'the txt2img request');
    const unit = body.alwayson_scripts.controlnet.args[0];
    expect(unit).toMatchObject({
      enabled: true, module: 'canny', model: CONTROLNET_MODELS[0], weight: 0.8, control_mode: 'ControlNet is more important',
      resize_mode: 'Crop and Resize', guidance_start: 0, guidance_end: 1, pixel_perfect: true,
    });
    expect(Buffer.from(String(unit.image).replace(/^data:[^,]*,/, ''), 'base64').equals(control)).toBe(true);
    const ad = body.alwayson_scripts.ADetailer.args;
    expect(ad.slice(0, 2)).toEqual([true, false]);
    expect(ad[2]).toMatchObject({ ad_model: 'hand_yolov8n.pt', ad_prompt: 'detailed hands', ad_confidence: 0.3, ad_denoising_strength: 0.4 });
    expect(body.prompt).toBe('analog film photo of a red fox, grain');
    expect(body.negative_prompt).toBe('digital');
    // The emulator ran the unit (its model and image were usable).
    await waitFor(async () => env.forge.generationLog.find((g) => g.controlnet)?.controlnet, 'the ControlNet outcome');
    expect(env.forge.generationLog.at(-1)?.controlnet?.applied).toBe(1);
    expect(ADETAILER_MODELS).toContain(ad[2].ad_model);
  });

  it('the styles dialog imports a Forge styles.csv and lists it', async () => {
    await page.getByRole('button', { name: 'Manage' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prompt styles' });
    await dialog.waitFor();
    const csv = '\uFEFFname,prompt,negative_prompt\r\nWatercolor,"watercolor painting of {prompt}, soft edges",photo\r\n';
    await dialog.getByLabel('styles.csv file').setInputFiles({ name: 'styles.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await dialog.getByText('watercolor painting of {prompt}, soft edges').waitFor();
    await screenshot(page, 'generate-styles-dialog-desktop');
    const styles = await env.api<{ styles: Array<{ name: string; prompt: string; negative_prompt: string }> }>('GET', '/api/v1/styles');
    expect(styles.styles.find((st) => st.name === 'Watercolor')).toMatchObject({ prompt: 'watercolor painting of {prompt}, soft edges', negative_prompt: 'photo' });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('hides ControlNet and ADetailer for a server without them', async () => {
    await openWith(page, 'forge-plain');
    await page.getByRole('heading', { name: 'Forge extras' }).or(page.getByText('Forge extras')).first().waitFor();
    await page.waitForTimeout(500);
    expect(await page.getByRole('region', { name: 'ControlNet & ADetailer' }).count()).toBe(0);
  });

  it('on a phone the ControlNet unit and ADetailer fit the screen', async () => {
    const phone = await newPage(browser, env.server.url, PHONE);
    try {
      const p = phone.page;
      await openWith(p, 'forge-local');
      const section = p.getByRole('region', { name: 'ControlNet & ADetailer' });
      await section.waitFor();
      await section.getByRole('button', { name: 'Add unit' }).click();
      await section.getByRole('switch', { name: 'ADetailer' }).click();
      await section.scrollIntoViewIfNeeded();
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(p, 'generate-controlnet-phone');
    } finally {
      await phone.context.close();
    }
  });
});
