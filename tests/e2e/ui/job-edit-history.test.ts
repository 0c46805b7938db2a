/**
 * A job edited while it waits shows what changed in its detail, and a job sent through the
 * A1111 facade names its client in the Queue row and the detail; desktop and phone.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the job edit history UI tests: ${reason}`);

describe.skipIf(!!reason)('edited and facade jobs in the Queue', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let page: Page;

  uiSession({}, (s) => ({ env, page } = s));

  afterAll(async () => {
    await env?.api('POST', '/api/v1/queue/resume').catch(() => undefined);
  });

  it('the row names the facade client; the detail shows the source and the edit, from → to', async () => {
    await env.api('POST', '/api/v1/queue/pause');
    const call = fetch(`${env.server.url}/compat/a1111/sdapi/v1/txt2img`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'SillyTavern/1.12.6' },
      body: JSON.stringify({ prompt: 'a tavern at night', steps: 4, width: 64, height: 64 }),
    }).catch(() => undefined);
    const job = await waitFor(async () => (await env.api<{ jobs: { mobilesd_job_id: string }[] }>('GET', '/api/v1/queue/jobs?source=a1111_api&status=pending')).jobs[0], 'the facade job queued');
    await env.api('PATCH', `/api/v1/queue/jobs/${job.mobilesd_job_id}`, { generation_params: { positive_prompt: 'a tavern at dawn', steps: 6 } });

    await page.goto('/queue');
    const row = page.locator(`[data-job-id="${job.mobilesd_job_id}"]`);
    await row.getByText('a tavern at dawn').waitFor();
    await expect.poll(() => row.getByText('A1111 API · SillyTavern').count()).toBe(1);
    await screenshot(page, 'queue-facade-row-desktop');
    await row.getByRole('button', { name: /Open details of job/ }).click();
    const edited = page.getByText('Prompt: a tavern at night → a tavern at dawn');
    await edited.waitFor();
    await expect.poll(() => page.getByText('Steps: 4 → 6').count()).toBe(1);
    await expect.poll(() => page.getByText('A1111 API · SillyTavern/1.12.6').count()).toBeGreaterThan(0);
    await page.getByText(/in StableQueue/).first().scrollIntoViewIfNeeded();
    await screenshot(page, 'job-detail-edit-history-desktop');
    await page.setViewportSize(PHONE);
    await page.getByText(/in StableQueue/).first().scrollIntoViewIfNeeded();
    await screenshot(page, 'job-detail-edit-history-phone');
    await page.setViewportSize(DESKTOP);
    await env.api('POST', '/api/v1/queue/resume');
    await call;
  });
});
