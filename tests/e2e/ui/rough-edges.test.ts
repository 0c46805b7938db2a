/**
 * Small things a first afternoon with the UI tripped over, each checked where the user
 * sees it: a finished job's details show the seed the server used (not the -1 it was
 * asked for), a prompt typed just before a reload is still there after it, a server
 * address typed as Forge prints it (no http://) is completed and saved, and the Settings
 * footer names the version with a space.
 */
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobStatusResponse } from '../../../shared/jobs.ts';
import type { ServerView } from '../../../shared/servers.ts';
import { DESKTOP, newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the rough-edges UI tests: ${reason}`);

describe.skipIf(!!reason)('UI rough edges', { timeout: 180_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  let jobId: string;
  let usedSeeds: number[];

  uiSession({ forgeStepMs: 5, size: null }, (s) => ({ env, browser } = s));

  beforeAll(async () => {
    ({ mobilesd_job_id: jobId } = await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
      target_server_alias: 'forge-local', generation_params: { positive_prompt: 'two herons at dusk', seed: -1, batch_size: 2, steps: 3, width: 64, height: 64 },
    }));
    const done = await waitFor(async () => {
      const s = await env.api<JobStatusResponse>('GET', `/api/v1/queue/jobs/${jobId}/status`);
      return s.status === 'completed' ? s : null;
    }, 'the job to finish');
    usedSeeds = [...new Set(done.images.map((i) => i.seed).filter((s): s is number => typeof s === 'number'))];
  }, 90_000);

  for (const [size, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
    it(`a finished job asked for seed -1 shows the seeds it used (${name})`, async () => {
      expect(usedSeeds.length).toBeGreaterThan(0);
      expect(usedSeeds.every((s) => s >= 0)).toBe(true);
      const { context, page } = await newPage(browser, env.server.url, size);
      try {
        await page.goto(`/queue?job=${jobId}`);
        const drawer = page.getByRole('dialog').filter({ hasText: 'two herons at dusk' });
        await drawer.waitFor();
        const seedRow = drawer.locator('dl.kv > div').filter({ has: page.locator('dt', { hasText: /^Seeds?$/ }) });
        await expect.poll(() => seedRow.locator('dd').textContent(), { timeout: 20_000 }).toBe(usedSeeds.join(', '));
        expect(await seedRow.locator('dt').textContent()).toBe(usedSeeds.length > 1 ? 'Seeds' : 'Seed');
        await seedRow.scrollIntoViewIfNeeded();
        await screenshot(page, `job-detail-seeds-${name}`);
      } finally {
        await context.close();
      }
    });
  }

  it('a prompt typed just before a reload survives it', async () => {
    const { context, page } = await newPage(browser, env.server.url, DESKTOP);
    try {
      await page.goto('/');
      const prompt = page.getByRole('textbox', { name: 'Prompt', exact: true });
      await prompt.fill('a lantern on a snowy path');
      await page.reload(); // at once: well inside the 250 ms the draft used to wait before saving
      await expect.poll(() => page.getByRole('textbox', { name: 'Prompt', exact: true }).inputValue(), { timeout: 20_000 }).toBe('a lantern on a snowy path');
    } finally {
      await context.close();
    }
  });

  it('a server address without http:// is completed on leaving the field and saved', async () => {
    const { context, page } = await newPage(browser, env.server.url, DESKTOP);
    try {
      await page.goto('/servers');
      await page.getByRole('button', { name: 'Add server' }).first().click();
      const dialog = page.getByRole('dialog');
      const name = dialog.getByRole('textbox', { name: 'Name', exact: true });
      await name.fill('forge-bare');
      const url = dialog.getByRole('textbox', { name: 'URL', exact: true });
      const bare = env.forge.url.replace(/^http:\/\//, '');
      await url.fill(bare);
      await name.focus();
      await expect.poll(() => url.inputValue(), { timeout: 20_000 }).toBe(`http://${bare}`);
      await screenshot(page, 'server-form-scheme-completed-desktop');
      await dialog.locator('button[type=submit]').click();
      await dialog.waitFor({ state: 'hidden' });
      const saved = await env.api<ServerView>('GET', '/api/v1/servers/forge-bare');
      expect(saved.api_url).toBe(`http://${bare}`);
    } finally {
      await context.close();
    }
  });

  it('the Settings footer reads "StableQueue <version>"', async () => {
    const { context, page } = await newPage(browser, env.server.url, DESKTOP);
    try {
      const { version } = await env.api<{ version: string }>('GET', '/api/v1/health');
      await page.goto('/settings');
      await page.getByText(`StableQueue ${version}`).waitFor();
    } finally {
      await context.close();
    }
  });
});
