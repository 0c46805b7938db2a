/**
 * The grid builder in Chromium: a 2 × 2 grid (two prompts × two random seeds) built in
 * Generate with its live count, queued as one batch; the Queue shows its four jobs under one
 * group that finishes with the contact sheet, which the gallery lists among the grids. At
 * desktop size and on a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { BatchList } from '../../../shared/batches.ts';
import { DESKTOP, newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the batch grid UI tests: ${reason}`);

describe.skipIf(!!reason)('Generate → grid of jobs → Queue group → contact sheet', { timeout: 150_000 }, () => {
  let env: UiEnv;
  let browser: Browser;

  uiSession({ forgeStepMs: 2, size: null }, (s) => ({ env, browser } = s));

  async function buildAndQueueGrid(page: Page, prompts: [string, string], shot: string): Promise<string> {
    await page.goto('/');
    // A loaded machine can take a while to render the first view.
    await page.locator('#g-server').waitFor({ timeout: 60_000 });
    await page.locator('#g-server').selectOption('forge-local');
    await page.locator('#g-positive').fill('base prompt');
    await page.locator('#g-width').fill('64');
    await page.locator('#g-height').fill('64');
    await page.getByRole('switch', { name: 'Make a grid of jobs' }).click();
    const axes = page.locator('.axis');
    await axes.nth(0).locator('textarea').fill(prompts.join('\n'));
    await axes.nth(1).getByLabel('How many random seeds').fill('2');
    await expect.poll(() => page.getByTestId('grid-count').textContent(), { timeout: 20_000 }).toContain('4 jobs');
    await page.getByTestId('grid-count').scrollIntoViewIfNeeded();
    await screenshot(page, shot);
    const before = (await env.api<BatchList>('GET', '/api/v1/batches')).batches.length;
    await page.getByRole('button', { name: /Queue grid \(4\)/ }).click();
    await page.getByText('Grid queued: 4 jobs').first().waitFor();
    const list = await waitFor(async () => {
      const batches = (await env.api<BatchList>('GET', '/api/v1/batches')).batches;
      return batches.length > before ? batches : null;
    }, 'batch created');
    const batch = list[0];
    expect(batch.job_count).toBe(4);
    expect(batch.axes.map((a) => a.name)).toEqual(['positive_prompt', 'seed']);
    expect(batch.axes[0].values).toEqual(prompts);
    return batch.batch_id;
  }

  async function seeGroupAndSheet(page: Page, batchId: string, shot: string): Promise<void> {
    await page.goto('/queue?status=all');
    await page.getByRole('radio', { name: /All/ }).click();
    const group = page.getByRole('listitem', { name: /^Batch: Grid · 2 prompt × 2 seed/ }).first();
    await group.waitFor();
    await expect.poll(() => group.locator('[data-job-id]').count(), { timeout: 30_000 }).toBe(4);
    const sheetThumb = group.getByTestId('contact-sheet-thumb');
    await sheetThumb.waitFor({ timeout: 60_000 });
    await expect.poll(() => group.getByText(/4 of 4 done/).count()).toBe(1);
    await expect.poll(() => sheetThumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 20_000 }).toBe(true);
    await screenshot(page, shot);

    const batch = await env.api<{ contact_sheets: { image_id: number }[]; status: string }>('GET', `/api/v1/batches/${batchId}`);
    expect(batch.status).toBe('finished');
    expect(batch.contact_sheets).toHaveLength(1);
    await page.goto('/gallery?kind=grid');
    const tile = page.locator(`img[src*="/api/v1/images/${batch.contact_sheets[0].image_id}/"]`).first();
    await tile.waitFor({ timeout: 30_000 });
    await expect.poll(() => tile.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 20_000 }).toBe(true);
  }

  it('desktop: builds a 2 × 2 grid with a live count, sees four jobs grouped, then the contact sheet', async () => {
    const { context, page, errors } = await newPage(browser, env.server.url, DESKTOP);
    try {
      const id = await buildAndQueueGrid(page, ['a lighthouse at dusk', 'a red fox in snow'], 'batch-grid-builder-desktop');
      await seeGroupAndSheet(page, id, 'batch-grid-queue-desktop');
      await screenshot(page, 'batch-grid-gallery-desktop');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('phone: the same grid from the phone layout', async () => {
    const { context, page, errors } = await newPage(browser, env.server.url, PHONE);
    try {
      const id = await buildAndQueueGrid(page, ['an old oak', 'a koi pond'], 'batch-grid-builder-phone');
      await seeGroupAndSheet(page, id, 'batch-grid-queue-phone');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
