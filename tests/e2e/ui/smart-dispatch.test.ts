/**
 * Smart dispatch in Chromium: after jobs on two checkpoints ran (grouped by loaded model),
 * the Servers page shows the server's measured speed and its model loads, and the Queue
 * shows "all done by", the model loads saved and each waiting job's expected start, at
 * desktop and phone size.
 */
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the smart dispatch UI tests: ${reason}`);

const MODELS = ['v1-5-pruned-emaonly.safetensors', 'sdxl/juggernautXL_v9.safetensors'];

describe.skipIf(!!reason)('Smart dispatch: speed, model loads and ETAs on screen', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let browser: Browser;

  const submit = (i: number) => env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
    target_server_alias: 'auto', generation_params: { positive_prompt: `a lighthouse at dusk, take ${i}`, checkpoint_name: MODELS[i % 2], steps: 4, width: 512, height: 512 },
  });

  uiSession({ forgeStepMs: 25, size: null }, (s) => ({ env, browser } = s));

  beforeAll(async () => {
    await waitFor(async () => (await env.api<{ status: string }[]>('GET', '/api/v1/servers'))[0]?.status === 'online', 'server online');
    // Alternating checkpoints, queued while paused: grouping runs them with few loads.
    await env.api('POST', '/api/v1/queue/pause');
    const learned: string[] = [];
    for (let i = 0; i < 8; i++) learned.push((await submit(i)).mobilesd_job_id);
    await env.api('POST', '/api/v1/queue/resume');
    await waitFor(async () => (await env.api<{ counts: Record<string, number> }>('GET', '/api/v1/queue/jobs?limit=1')).counts.completed === 8, 'learning jobs done', 60_000);
    await env.api('POST', '/api/v1/queue/pause');
    for (let i = 8; i < 14; i++) await submit(i);
  }, 90_000);

  it('turns grouping off and fair share on in Settings → Dispatch', async () => {
    const { context, page, errors } = await newPage(browser, env.server.url, DESKTOP);
    try {
      await page.goto('/settings');
      const grouping = page.getByLabel('Group jobs by loaded model');
      await grouping.waitFor();
      await grouping.scrollIntoViewIfNeeded();
      await grouping.click();
      await page.getByLabel('Fair share between sources').click();
      await waitFor(async () => {
        const settings = await env.api<{ dispatch_grouping: boolean; dispatch_fair_share: boolean }>('GET', '/api/v1/settings');
        return !settings.dispatch_grouping && settings.dispatch_fair_share;
      }, 'settings saved');
      await page.getByRole('heading', { name: 'Dispatch' }).scrollIntoViewIfNeeded();
      await screenshot(page, 'smart-dispatch-settings-desktop');
      expect(errors).toEqual([]);
    } finally {
      await env.api('PUT', '/api/v1/settings', { dispatch_grouping: true, dispatch_fair_share: false });
      await context.close();
    }
  });

  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    it(`shows measured speed and model loads per server, and the queue forecast (${label})`, async () => {
      const { context, page, errors } = await newPage(browser, env.server.url, size);
      try {
        await page.goto('/servers');
        const facts = page.getByLabel('Measured on forge-local');
        await facts.getByText(/it\/s at 1024²/).waitFor();
        expect(await facts.textContent()).toMatch(/\d+ model loads?[\s\S]*\d+ saved/);
        await screenshot(page, `smart-dispatch-servers-${label}`);

        await page.goto('/queue');
        await page.getByTestId('all-done-by').waitFor();
        expect(await page.getByTestId('all-done-by').textContent()).toMatch(/If resumed now, all done by\s+\S+/);
        expect(await page.getByTestId('loads-saved').textContent()).toMatch(/\d+\s+model loads? saved/);
        await expect.poll(() => page.getByTestId('row-eta').count(), { timeout: 15_000 }).toBe(6);
        expect(await page.getByTestId('row-eta').first().textContent()).toMatch(/starts (next|in \d+ s|in \d+ min|at \S+)/);
        await screenshot(page, `smart-dispatch-queue-${label}`);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
