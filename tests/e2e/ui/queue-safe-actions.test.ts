/**
 * Queue actions that used to surprise: stopping a running job asks first and its cut-off
 * image is marked "Partial" (row and details), the stopped attempt's times stay in the
 * details after a retry, an arrow-key move across priorities asks (naming both) before it
 * changes the job's priority, and a paused queue offers one Resume button on the phone,
 * whose job details lay their actions out in even columns.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatusResponse } from '../../../shared/jobs.ts';
import { addServers, DESKTOP, launchChromium, newPage, PHONE, screenshot, skipReason, startUiEnv, waitFor, type UiEnv } from '../helpers/ui-env.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the queue safe-actions UI tests: ${reason}`);

const status = (env: UiEnv, id: string) => env.api<JobStatusResponse>('GET', `/api/v1/queue/jobs/${id}/status`);
const submit = async (env: UiEnv, prompt: string, priority: number, steps: number) =>
  (await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
    target_server_alias: 'forge-local', priority, generation_params: { positive_prompt: prompt, steps, width: 64, height: 64 },
  })).mobilesd_job_id;

describe.skipIf(!!reason)('Queue: safe actions', { timeout: 180_000 }, () => {
  let env: UiEnv;
  let browser: Browser;

  beforeAll(async () => {
    env = await startUiEnv({ forgeStepMs: 100 });
    await addServers(env);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('stopping a running job asks, marks its image partial, and a retry keeps the stopped attempt', async () => {
    const id = await submit(env, 'a kettle on a wood stove', 5, 300);
    await waitFor(async () => (await status(env, id)).status === 'processing', 'the job to run');
    const { context, page } = await newPage(browser, env.server.url, DESKTOP);
    try {
      await page.goto('/queue');
      const row = page.locator(`li[data-job-id="${id}"]`);
      await row.getByRole('button', { name: /^Cancel job/ }).click();
      const dialog = page.getByRole('dialog').filter({ hasText: 'Stop this running job?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await page.waitForTimeout(300);
      expect((await status(env, id)).status).toBe('processing');

      await row.getByRole('button', { name: /^Cancel job/ }).click();
      await page.getByRole('dialog').filter({ hasText: 'Stop this running job?' }).getByRole('button', { name: 'Stop job' }).click();
      const stopped = await waitFor(async () => {
        const s = await status(env, id);
        return s.status === 'cancelled' ? s : null;
      }, 'the job to be cancelled');
      expect(stopped.images.length).toBeGreaterThan(0);

      await page.getByRole('radio', { name: /^Cancelled/ }).click();
      await expect.poll(() => page.locator(`li[data-job-id="${id}"] .thumb-partial`).textContent(), { timeout: 20_000 }).toBe('Partial');
      await page.goto(`/queue?job=${id}`);
      const drawer = page.getByRole('dialog').filter({ hasText: 'a kettle on a wood stove' });
      await expect.poll(() => drawer.getByText('Cancelled — partial').count(), { timeout: 20_000 }).toBe(1);
      await screenshot(page, 'queue-cancelled-partial-desktop');

      await env.api('POST', '/api/v1/queue/pause');
      await env.api('POST', `/api/v1/queue/jobs/${id}/retry`);
      await page.reload();
      const attempt = page.getByRole('dialog').locator('[data-testid="earlier-attempt"]');
      await expect.poll(() => attempt.textContent(), { timeout: 20_000 }).toMatch(/Attempt 1\s*Cancelled · started .+ · ended .+ · took/);
      await attempt.scrollIntoViewIfNeeded();
      await screenshot(page, 'job-detail-earlier-attempt-desktop');
    } finally {
      await context.close();
    }
  });

  it('an arrow-key move above a higher-priority job asks, naming both priorities', async () => {
    await env.api('POST', '/api/v1/queue/pause');
    const high = await submit(env, 'high priority lighthouse', 10, 3);
    const low = await submit(env, 'low priority meadow', 5, 3);
    const { context, page } = await newPage(browser, env.server.url, DESKTOP);
    try {
      await page.goto('/queue');
      const grip = page.locator(`li[data-job-id="${low}"] .grip`);
      await grip.focus();
      await page.keyboard.press('Home');
      const ask = page.getByRole('dialog').filter({ hasText: 'Change its priority from 5 to 10?' });
      await ask.waitFor();
      await screenshot(page, 'queue-priority-move-ask-desktop');
      await page.keyboard.press('Escape');
      await page.waitForTimeout(300);
      expect((await status(env, low)).priority).toBe(5);

      await grip.focus();
      await page.keyboard.press('Home');
      await page.getByRole('dialog').filter({ hasText: 'Change its priority from 5 to 10?' }).getByRole('button', { name: 'Move and set priority 10' }).click();
      await waitFor(async () => (await status(env, low)).priority === 10, 'the priority to change');
      const order = () => page.locator('li[data-job-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-job-id')));
      await expect.poll(async () => { const o = await order(); return o.indexOf(low) < o.indexOf(high); }, { timeout: 20_000 }).toBe(true);
      await screenshot(page, 'queue-priority-moved-desktop');
    } finally {
      await context.close();
    }
  });

  it('phone: a paused queue shows one Resume button, and job details lay out their actions in columns', async () => {
    await env.api('POST', '/api/v1/queue/pause');
    const id = await submit(env, 'phone layout check', 5, 3);
    const { context, page } = await newPage(browser, env.server.url, PHONE);
    try {
      await page.goto('/queue');
      await page.getByText('Queue paused.').waitFor();
      await expect.poll(() => page.getByRole('button', { name: /Resume/ }).filter({ visible: true }).count()).toBe(1);
      await screenshot(page, 'queue-paused-one-resume-phone');
      await page.goto(`/queue?job=${id}`);
      const foot = page.getByRole('dialog').locator('div.foot');
      await foot.waitFor();
      expect(await foot.evaluate((el) => getComputedStyle(el).display)).toBe('grid');
      await screenshot(page, 'job-detail-actions-phone');
    } finally {
      await context.close();
    }
  });
});
