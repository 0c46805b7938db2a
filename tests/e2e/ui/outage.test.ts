/**
 * An outage is visible: when the server stops answering, a banner names it and each of
 * its jobs says "Waiting — <server> unreachable since <time> (retrying)" instead of a
 * frozen progress bar, within 5 s; both clear when the server is back.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { JobStatusResponse } from '../../../shared/jobs.ts';
import { DESKTOP, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the outage UI tests: ${reason}`);

describe.skipIf(!!reason)('UI during a server outage', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let page: Page;

  uiSession({ forgeStepMs: 300 }, (s) => ({ env, page } = s));

  it('stopping the server shows the banner and each row the reason within 5 s; they clear when it returns', async () => {
    const submit = (p: string) => env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', { target_server_alias: 'forge-local', generation_params: { positive_prompt: p, steps: 200 } });
    const running = (await submit('a long running lighthouse')).mobilesd_job_id;
    await submit('a waiting windmill');
    await waitFor(async () => (await env.api<JobStatusResponse>('GET', `/api/v1/queue/jobs/${running}/status`)).status === 'processing', 'the first job running');
    await page.goto('/queue');
    await page.getByText('a waiting windmill').waitFor();

    const banner = page.getByRole('alert').filter({ hasText: 'forge-local is unreachable' });
    const reasons = page.getByText(/^Waiting — forge-local unreachable since \d\d?:\d\d.*\(retrying\)$/);
    const stoppedAt = Date.now();
    await env.forge.setOnline(false);
    await banner.waitFor({ timeout: 5_000 });
    await expect.poll(() => reasons.count(), { timeout: 5_000 - (Date.now() - stoppedAt) }).toBe(2);
    await screenshot(page, 'queue-outage-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'queue-outage-phone');
    await page.setViewportSize(DESKTOP);

    await env.forge.setOnline(true);
    await banner.waitFor({ state: 'hidden', timeout: 15_000 });
    await expect.poll(() => reasons.count(), { timeout: 5_000 }).toBe(0);
  });
});
