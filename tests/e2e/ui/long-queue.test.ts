/**
 * A long queue stays usable: with 150 and then 5,000 pending jobs the list pages in as it
 * scrolls and says how much of the queue it shows, the search finds a job by its prompt or
 * its id, and the last job can be opened and moved to the top from the UI.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobListResponse } from '../../../shared/jobs.ts';
import { screenshot, skipReason, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the long-queue UI tests: ${reason}`);

const promptOf = (n: number) => `queued job ${String(n).padStart(5, '0')}`;

describe.skipIf(!!reason)('UI with a long queue', { timeout: 240_000 }, () => {
  let env: UiEnv;
  let page: Page;
  const ids: string[] = [];

  /** Submit jobs n = from..to (paused queue: they stay pending), 16 requests at a time. */
  async function submit(from: number, to: number): Promise<void> {
    let next = from;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next <= to) {
          const n = next++;
          const res = await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
            target_server_alias: 'forge-local',
            generation_params: { positive_prompt: promptOf(n), steps: 4 },
          });
          ids[n] = res.mobilesd_job_id;
        }
      }),
    );
  }

  const firstPending = async () => (await env.api<JobListResponse>('GET', '/api/v1/queue/jobs?status=pending&limit=1')).jobs[0]?.positive_prompt;

  uiSession({}, (s) => ({ env, page } = s));

  beforeAll(async () => {
    await env.api('POST', '/api/v1/queue/pause');
  }, 90_000);

  it('150 pending: scrolling reaches the last job, which moves to the top', async () => {
    await submit(1, 150);
    await page.goto('/queue');
    await page.getByText('Showing 100 of 150').waitFor();
    const last = page.locator(`li[data-job-id="${ids[150]}"]`);
    await waitForRow(page, last);
    await page.getByText('Showing 150 of 150').waitFor();
    await screenshot(page, 'queue-long-end-desktop');
    await last.getByRole('button', { name: /to top$/ }).click();
    await expect.poll(firstPending, { timeout: 10_000 }).toBe(promptOf(150));
  });

  it('5,000 pending: search by prompt and by id finds the last job; it opens and moves to the top', async () => {
    // Off the app while 4,850 jobs are posted: this test is about finding one, not about
    // a tab digesting thousands of job.created events.
    await page.goto('about:blank');
    await submit(151, 5000);
    await page.goto('/queue');
    await page.getByText('Showing 100 of 5000').waitFor({ timeout: 15_000 });

    const search = page.getByRole('searchbox', { name: /Search jobs/ });
    await search.fill(promptOf(5000));
    await page.getByText('Showing 1 of 1').waitFor();
    const row = page.locator(`li[data-job-id="${ids[5000]}"]`);
    await row.waitFor();
    await screenshot(page, 'queue-search-desktop');

    // Jump to a job by its id, open it.
    await search.fill(ids[5000]!);
    await page.getByText('Showing 1 of 1').waitFor();
    await row.getByRole('button', { name: /^Open details of job/ }).click();
    const drawer = page.getByRole('dialog').filter({ hasText: promptOf(5000) });
    await drawer.waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    await row.getByRole('button', { name: /to top$/ }).click();
    await expect.poll(firstPending, { timeout: 10_000 }).toBe(promptOf(5000));

    // Cleared search: the whole queue again, the moved job first.
    await search.fill('');
    await page.getByText('Showing 100 of 5000').waitFor();
    const firstRow = page.locator('li[data-job-id]').first();
    await expect.poll(() => firstRow.getAttribute('data-job-id')).toBe(ids[5000]);
  });
});

/** Scroll the page's end into view until the row exists (pages load as the end comes near). */
async function waitForRow(page: Page, row: ReturnType<Page['locator']>): Promise<void> {
  for (let i = 0; i < 40 && !(await row.count()); i++) {
    await page.mouse.wheel(0, 20_000);
    await page.waitForTimeout(250);
  }
  await row.scrollIntoViewIfNeeded();
}
