/**
 * The rest of the Generate page in Chromium against the Forge emulator: a seed variation
 * and a refiner reach Forge; a form saved as a preset comes back after a reset; a text
 * file of prompts queues one job per line; the tools fit a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the Generate presets UI tests: ${reason}`);

const txt2img = (env: UiEnv) => env.forge.requests.filter((r) => r.path === '/sdapi/v1/txt2img').map((r) => r.body as any);

describe.skipIf(!!reason)('Generate: variations, refiner, presets, prompts from a file', { timeout: 180_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  let page: Page;

  uiSession({ forgeStepMs: 2 }, (s) => ({ env, browser, page } = s));

  it('a seed variation and a refiner reach Forge; the form saved as a preset comes back after a reset', async () => {
    await page.goto('/');
    await page.evaluate(() => localStorage.setItem('stablequeue.generate.form.v1', JSON.stringify({ target: 'forge-local', appType: 'forge', positive: 'a harbour at night', width: 64, height: 64, steps: 3 })));
    await page.goto('/');
    await page.getByText('Variations & refiner').click();
    await page.locator('#g-subseed').fill('99');
    await page.getByLabel('Variation strength', { exact: true }).fill('0.25');
    const refiner = page.getByLabel('Refiner checkpoint');
    await expect.poll(() => refiner.locator('option').count()).toBeGreaterThan(1);
    const refinerName = await refiner.locator('option').nth(1).getAttribute('value');
    await refiner.selectOption(refinerName!);
    await page.getByLabel('Switch at', { exact: true }).fill('0.6');

    const before = txt2img(env).length;
    await page.getByRole('button', { name: 'Add to Queue' }).click();
    const body = await waitFor(async () => txt2img(env)[before], 'the txt2img request');
    expect(body).toMatchObject({ subseed: 99, subseed_strength: 0.25, refiner_checkpoint: refinerName, refiner_switch_at: 0.6 });

    await page.getByRole('button', { name: 'Save form as preset' }).click();
    await page.getByLabel('Preset name').fill('Night harbour');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Preset saved').first().waitFor();
    await page.getByRole('button', { name: 'Reset form' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Prompt', exact: true }).inputValue()).toBe('');
    const presetSelect = page.getByLabel('Preset', { exact: true });
    const id = await presetSelect.locator('option', { hasText: 'Night harbour' }).getAttribute('value');
    await presetSelect.selectOption(id!);
    await expect.poll(() => page.getByRole('textbox', { name: 'Prompt', exact: true }).inputValue()).toBe('a harbour at night');
    expect(await page.getByLabel('Variation strength', { exact: true }).inputValue()).toBe('0.25');
    await page.getByRole('heading', { name: 'Presets & prompt files' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'generate-presets-desktop');
  });

  it('a file of prompts queues one job per line', async () => {
    const before = txt2img(env).length;
    await page.getByTestId('prompts-file').setInputFiles({ name: 'prompts.txt', mimeType: 'text/plain', buffer: Buffer.from('a red kite\n\n  a blue kite  \r\na green kite\n') });
    await page.getByRole('button', { name: 'Queue them' }).click();
    const prompts = await waitFor(async () => {
      const sent = txt2img(env).slice(before).map((b) => b.prompt);
      return sent.length >= 3 ? sent : null;
    }, 'three jobs at Forge');
    expect(prompts.sort()).toEqual(['a blue kite', 'a green kite', 'a red kite']);
  });

  it('on a phone the presets and prompt-file tools fit the screen', async () => {
    const phone = await newPage(browser, env.server.url, PHONE);
    try {
      const p = phone.page;
      await p.goto('/');
      const tools = p.getByRole('heading', { name: 'Presets & prompt files' });
      await tools.waitFor();
      await p.getByText('Variations & refiner').click();
      await tools.scrollIntoViewIfNeeded();
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(p, 'generate-presets-phone');
    } finally {
      await phone.context.close();
    }
  });
});
