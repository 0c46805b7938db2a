/**
 * The main flows again at phone size (390x844, touch): add and test a server, submit →
 * live progress in the bottom sheet → image in the gallery, reorder by touch drag and
 * "Run next", cancel. Writes tests/e2e/screenshots/<tab>-phone.png for every tab.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobListResponse, JobStatusResponse } from '../../../shared/jobs.ts';
import { PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the phone UI tests: ${reason}`);

describe.skipIf(!!reason)('UI at phone size', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let cdp: CDPSession;

  uiSession({ forgeStepMs: 40, servers: false, size: PHONE }, (s) => ({ env, context, page, errors } = s));

  beforeAll(async () => {
    cdp = await context.newCDPSession(page);
  }, 90_000);

  const tabs = () => page.getByRole('navigation', { name: 'Tabs' });
  const pendingOrder = async () => (await env.api<JobListResponse>('GET', '/api/v1/queue/jobs?status=pending')).jobs.map((j) => j.positive_prompt);
  const rowOrder = async () =>
    page.locator('li[data-job-id]').evaluateAll((els) => els.map((el) => el.querySelector('.prompt')?.textContent?.trim() ?? ''));

  /** A real touch drag (touchstart → moves → touchend) through the DevTools protocol. */
  async function touchDrag(x: number, y0: number, y1: number) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: y0 }] });
    for (let i = 1; i <= 12; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y0 + ((y1 - y0) * i) / 12 }] });
      await page.waitForTimeout(16);
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }

  it('adds and tests a server from the phone', async () => {
    await page.goto('/');
    await tabs().getByRole('link', { name: 'Servers' }).tap();
    await page.getByRole('heading', { name: 'Connect your first server' }).waitFor();
    await page.getByRole('button', { name: 'Add server' }).first().tap();
    const sheet = page.getByRole('dialog', { name: 'Add a server' });
    await sheet.getByLabel('Name', { exact: true }).fill('forge-phone');
    await sheet.getByLabel('URL', { exact: true }).fill(env.forge.url);
    await screenshot(page, 'servers-form-phone');
    await sheet.getByRole('button', { name: 'Add server' }).tap();
    await sheet.waitFor({ state: 'hidden' });
    const card = page.getByRole('listitem', { name: 'Server forge-phone' });
    await card.getByText('Connected', { exact: true }).waitFor({ timeout: 15_000 });
    await card.getByRole('button', { name: 'Test connection to forge-phone' }).tap();
    await card.getByText('Online').waitFor({ timeout: 15_000 });
    await screenshot(page, 'servers-phone');
  });

  it('submits from Generate, follows progress in the bottom sheet, finds the image in the Gallery', async () => {
    env.forge.setStepMs(60);
    await tabs().getByRole('link', { name: 'Generate' }).tap();
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a paper boat on a puddle, rainy street');
    await page.getByLabel('Steps', { exact: true }).fill('40');
    await screenshot(page, 'generate-phone');
    await page.getByRole('button', { name: 'Add to Queue' }).tap();
    const mini = page.getByRole('button', { name: 'Show the latest job' });
    await mini.waitFor();
    await waitFor(async () => Number(await mini.getByRole('progressbar').getAttribute('aria-valuenow', { timeout: 500 })) > 0, 'progress in the mini bar');
    await mini.tap();
    const sheet = page.getByRole('dialog', { name: 'Latest job' });
    await sheet.waitFor();
    await screenshot(page, 'generate-sheet-phone');
    await sheet.getByText('Done').first().waitFor({ timeout: 30_000 });
    await sheet.getByRole('img', { name: /Result:/ }).waitFor();
    await sheet.getByRole('button', { name: 'Close' }).tap();

    await tabs().getByRole('link', { name: 'Gallery' }).tap();
    const tile = page.getByRole('button', { name: /Open image: a paper boat/ });
    await tile.first().waitFor();
    await screenshot(page, 'gallery-phone');
    await tile.first().tap();
    const viewer = page.getByRole('dialog', { name: /Image 1 of/ });
    await viewer.waitFor();
    await screenshot(page, 'gallery-viewer-phone');
    // On a phone the details start hidden; the info button shows them under the image.
    await viewer.getByRole('button', { name: 'Show image info' }).tap();
    await viewer.getByText('a paper boat on a puddle, rainy street').first().waitFor();
    await screenshot(page, 'gallery-lightbox-phone');
    await viewer.getByRole('button', { name: 'Close viewer' }).tap();
    await viewer.waitFor({ state: 'hidden' });
  });

  it('reorders by touch drag and "Run next", and cancels, in the Queue tab', async () => {
    env.forge.setStepMs(400);
    await tabs().getByRole('link', { name: 'Queue' }).tap();
    await page.getByRole('button', { name: 'Pause queue' }).first().tap();
    await page.getByText('Queue paused.').waitFor();
    for (const p of ['first', 'second', 'third']) {
      await env.api('POST', '/api/v1/generate', { target_server_alias: 'forge-phone', generation_params: { positive_prompt: p, steps: 50 } });
    }
    await waitFor(async () => (await rowOrder()).join() === 'first,second,third', 'three rows');
    const idOf = async (prompt: string) => (await page.locator('li[data-job-id]', { hasText: prompt }).getAttribute('data-job-id'))!;

    // Touch-drag "third" to the top.
    const grip = page.getByRole('button', { name: `Reorder job ${(await idOf('third')).slice(0, 8)} (drag, or use arrow keys)` });
    await grip.scrollIntoViewIfNeeded();
    const g = (await grip.boundingBox())!;
    const top = (await page.locator('li[data-job-id]', { hasText: 'first' }).boundingBox())!;
    await touchDrag(g.x + g.width / 2, g.y + g.height / 2, top.y + 4);
    await waitFor(async () => (await pendingOrder()).join() === 'third,first,second', 'the engine to apply the touch drag');
    await waitFor(async () => (await rowOrder()).join() === 'third,first,second', 'the list to follow');
    await screenshot(page, 'queue-phone');

    // "Run next" from the job sheet moves "second" to the top.
    await page.locator('li[data-job-id]', { hasText: 'second' }).locator('.main').tap();
    const sheet = page.getByRole('dialog', { name: /^Job / });
    await sheet.getByRole('heading', { name: 'Parameters' }).waitFor();
    await screenshot(page, 'queue-detail-phone');
    await sheet.getByRole('button', { name: 'Run next' }).tap();
    await waitFor(async () => (await pendingOrder())[0] === 'second', '"Run next"');
    await sheet.getByRole('button', { name: 'Close' }).tap();
    await sheet.waitFor({ state: 'hidden' });

    // Cancel "first" from its row.
    const first = await idOf('first');
    await page.getByRole('button', { name: `Cancel job ${first.slice(0, 8)}` }).tap();
    await waitFor(async () => (await env.api<JobStatusResponse>('GET', `/api/v1/queue/jobs/${first}/status`)).status === 'cancelled', 'first cancelled');
    await waitFor(async () => !(await rowOrder()).includes('first'), 'first to leave the list');
    await page.getByRole('button', { name: 'Resume queue' }).first().tap();
    env.forge.setStepMs(5);
  });

  it('shows Models and Settings, and the Settings link in the top bar', async () => {
    await tabs().getByRole('link', { name: 'Models' }).tap();
    await page.getByRole('heading', { name: 'v1-5-pruned-emaonly' }).waitFor();
    await screenshot(page, 'models-phone');
    await page.getByRole('banner').getByRole('link', { name: 'Settings' }).tap();
    await page.getByRole('switch', { name: 'Resume the queue at start' }).waitFor();
    await screenshot(page, 'settings-phone');
    // No horizontal overflow on any tab at 390 px.
    for (const path of ['/', '/queue', '/gallery', '/models', '/servers', '/settings']) {
      await page.goto(path);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0);
    }
    expect(errors).toEqual([]);
  });
});
