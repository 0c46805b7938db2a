/**
 * Queue power tools in Chromium: a waiting job edited in its detail drawer (the change is
 * stored and the job keeps its place), and three jobs picked with the checkboxes (a
 * shift-click range on desktop, taps on a phone) moved to the top in one bulk action, and
 * three selected jobs edited at once (a word replaced in their prompts, their steps set).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addServers, DESKTOP, launchChromium, newPage, PHONE, screenshot, skipReason, startUiEnv, waitFor, type UiEnv } from '../helpers/ui-env.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the queue power tools UI tests: ${reason}`);

interface Row { mobilesd_job_id: string; positive_prompt: string; status: string }

describe.skipIf(!!reason)('Queue: edit a waiting job, select jobs and move them to the top', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const ids: Record<string, string> = {};
  const waitingOrder = async () => (await env.api<{ jobs: Row[] }>('GET', '/api/v1/queue/jobs?status=pending,held&limit=50')).jobs.map((j) => j.positive_prompt);
  const row = (p: Page, prompt: string) => p.locator(`[data-job-id="${ids[prompt]}"]`);

  beforeAll(async () => {
    env = await startUiEnv();
    await addServers(env);
    await env.api('POST', '/api/v1/queue/pause');
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const res = await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
        target_server_alias: 'forge-local', generation_params: { positive_prompt: `job ${n}`, steps: 2, width: 64, height: 64, seed: 100 + n },
        ...(n === 2 ? { not_before: new Date(Date.now() + 3 * 3600_000).toISOString() } : {}),
        ...(n === 5 ? { hold: true } : {}),
      });
      ids[`job ${n}`] = res.mobilesd_job_id;
    }
    browser = await launchChromium();
    ({ context, page } = await newPage(browser, env.server.url, DESKTOP));
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await env?.close();
  });

  it('edits a queued job in its drawer: the prompt and seed change, the job keeps its place', async () => {
    await page.goto('/queue');
    await row(page, 'job 2').getByText(/waits until/).waitFor();
    await expect.poll(() => row(page, 'job 5').getByText('Held').count()).toBe(1);
    await row(page, 'job 3').getByRole('button', { name: /Open details of job/ }).click();
    await page.getByRole('button', { name: 'Edit job' }).click();
    await page.locator('#je-positive').fill('job 3, edited in the drawer');
    await page.locator('#je-seed').fill('4242');
    await screenshot(page, 'queue-edit-drawer-desktop');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Job updated').first().waitFor();

    const details = await env.api<{ generation_params: Record<string, unknown>; edit_history: unknown[]; status: string }>('GET', `/api/v1/queue/jobs/${ids['job 3']}/status`);
    expect(details.generation_params).toMatchObject({ positive_prompt: 'job 3, edited in the drawer', seed: 4242 });
    expect(details.edit_history).toHaveLength(1);
    expect(details.status).toBe('pending');
    expect(await waitingOrder()).toEqual(['job 1', 'job 2', 'job 3, edited in the drawer', 'job 4', 'job 5', 'job 6']);
    await page.keyboard.press('Escape');
    await row(page, 'job 3').getByText('job 3, edited in the drawer').waitFor();
    ids['job 3, edited in the drawer'] = ids['job 3'];
  });

  it('selects three jobs with a click and a shift-click and moves them to the top in one action', async () => {
    await row(page, 'job 4').getByRole('checkbox').click();
    await row(page, 'job 6').getByRole('checkbox').click({ modifiers: ['Shift'] });
    await page.getByText('3 jobs selected').waitFor();
    for (const n of [4, 5, 6]) expect(await row(page, `job ${n}`).getByRole('checkbox').isChecked()).toBe(true);
    await screenshot(page, 'queue-bulk-bar-desktop');
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Top' }).click();
    await page.getByText('Moved to the top 3 jobs').first().waitFor();
    await waitFor(async () => (await waitingOrder())[0] === 'job 4', 'the move');
    expect(await waitingOrder()).toEqual(['job 4', 'job 5', 'job 6', 'job 1', 'job 2', 'job 3, edited in the drawer']);
    // The list shows the new order too.
    await expect.poll(async () => (await page.locator('[data-job-id]').allInnerTexts()).map((t) => t.match(/job \d/)?.[0]).slice(0, 6))
      .toEqual(['job 4', 'job 5', 'job 6', 'job 1', 'job 2', 'job 3']);
  });

  it('on a phone: taps select three jobs, the bar moves them to the top; the drawer edit form fits', async () => {
    const phone = await newPage(browser, env.server.url, PHONE);
    try {
      const p = phone.page;
      await p.goto('/queue');
      await row(p, 'job 1').waitFor();
      await screenshot(p, 'queue-list-phone');
      for (const n of [1, 2]) await row(p, `job ${n}`).getByRole('checkbox').tap();
      await row(p, 'job 3, edited in the drawer').getByRole('checkbox').tap();
      await p.getByText('3 jobs selected').waitFor();
      await screenshot(p, 'queue-bulk-bar-phone');
      await p.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Top' }).tap();
      await waitFor(async () => (await waitingOrder())[0] === 'job 1', 'the move on the phone');
      expect(await waitingOrder()).toEqual(['job 1', 'job 2', 'job 3, edited in the drawer', 'job 4', 'job 5', 'job 6']);

      await row(p, 'job 6').getByRole('button', { name: /Open details of job/ }).tap();
      await p.getByRole('button', { name: 'Edit job' }).tap();
      await p.locator('#je-positive').fill('job 6 from the phone');
      await screenshot(p, 'queue-edit-drawer-phone');
      await p.getByRole('button', { name: 'Save changes' }).tap();
      await waitFor(async () => (await waitingOrder()).includes('job 6 from the phone'), 'the phone edit');
      expect((await waitingOrder()).at(-1)).toBe('job 6 from the phone');
    } finally {
      await phone.context.close();
    }
  });

  it('edits three selected jobs at once: a word replaced in their prompts and their steps set; no other job changes', async () => {
    const before = await env.api<{ jobs: (Row & { generation_params?: unknown })[] }>('GET', '/api/v1/queue/jobs?status=pending,held&limit=50');
    expect(before.jobs).toHaveLength(6);
    const chosen = ['job 1', 'job 2', 'job 4'];
    await page.goto('/queue');
    for (const prompt of chosen) await row(page, prompt).getByRole('checkbox').click();
    await page.getByText('3 jobs selected').waitFor();
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Edit…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit 3 jobs' });
    await dialog.getByLabel('Find', { exact: true }).fill('job');
    await dialog.getByLabel('Replace with').fill('task');
    await dialog.getByLabel('Set steps').check();
    await dialog.locator('#be-steps').fill('7');
    await screenshot(page, 'queue-bulk-edit-desktop');
    await dialog.getByRole('button', { name: 'Apply to 3 jobs' }).click();
    await dialog.getByRole('status').getByText('3 jobs').waitFor();
    await screenshot(page, 'queue-bulk-edit-answer-desktop');

    const status = (id: string) => env.api<{ generation_params: Record<string, unknown> }>('GET', `/api/v1/queue/jobs/${id}/status`);
    for (const prompt of chosen) {
      expect((await status(ids[prompt])).generation_params, prompt).toMatchObject({ positive_prompt: prompt.replace('job', 'task'), steps: 7 });
    }
    for (const prompt of ['job 3, edited in the drawer', 'job 5', 'job 6']) {
      const params = (await status(ids[prompt])).generation_params;
      expect(params.steps, prompt).toBe(2);
      expect(String(params.positive_prompt), prompt).toMatch(/^job /);
    }
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByText('3 jobs selected').count()).toBe(0);
    await row(page, 'job 1').getByText('task 1').waitFor();

    // On a phone the same dialog fits the screen; nothing is sent until Apply.
    const phone = await newPage(browser, env.server.url, PHONE);
    try {
      const p = phone.page;
      await p.goto('/queue');
      for (const prompt of ['job 5', 'job 6']) await row(p, prompt).getByRole('checkbox').tap();
      await p.getByText('2 jobs selected').waitFor();
      await p.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Edit…' }).tap();
      const sheet = p.getByRole('dialog', { name: 'Edit 2 jobs' });
      await sheet.getByLabel('Find', { exact: true }).fill('job');
      await sheet.getByLabel('Set steps').check();
      await screenshot(p, 'queue-bulk-edit-phone');
      const box = await sheet.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width + 1);
      await sheet.getByRole('button', { name: 'Cancel' }).tap();
      expect((await status(ids['job 5'])).generation_params.steps).toBe(2);
    } finally {
      await phone.context.close();
    }
  });
});
