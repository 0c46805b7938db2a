/**
 * Per-server rules and pause in Chromium: the Servers page shows a server's GPU memory, its
 * tags and rules; Pause makes it say so and the Queue row of a waiting job says why it waits;
 * Resume lets the job run. The rules are edited in the server form. Desktop and phone.
 */
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the server rules UI tests: ${reason}`);

interface Server { status: string; paused: boolean; tags: string[]; max_batch: number | null }

describe.skipIf(!!reason)('Servers: GPU memory, tags, rules, pause and resume on screen', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let browser: Browser;

  uiSession({ forgeStepMs: 5, size: null }, (s) => ({ env, browser } = s));

  beforeAll(async () => {
    await env.api('PUT', '/api/v1/servers/forge-local', {
      tags: ['sdxl', '24gb'], blocked_checkpoints: ['flux*'], max_pixels: 1024 * 1024, drain_action: 'unload',
    });
    await waitFor(async () => (await env.api<Server[]>('GET', '/api/v1/servers'))[0]?.status === 'online', 'server online');
  }, 90_000);

  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    it(`shows VRAM, tags and rules; pausing says so in Servers and Queue; resume runs the job (${label})`, async () => {
      const { context, page, errors } = await newPage(browser, env.server.url, size);
      try {
        await page.goto('/servers');
        const card = page.getByRole('listitem', { name: 'Server forge-local' });
        await card.getByLabel(/GPU memory: [\d.]+ of 24\.0 GB free/).waitFor();
        const chips = card.getByRole('list', { name: 'Tags and rules' });
        expect(await chips.textContent()).toMatch(/sdxl[\s\S]*24gb[\s\S]*Never flux\*[\s\S]*Up to 1024×1024[\s\S]*Frees GPU when idle/);

        await card.getByRole('button', { name: 'Pause forge-local' }).click();
        await card.getByText('Paused — finishes its current job, takes no new one').waitFor();
        await card.getByRole('button', { name: 'Resume forge-local' }).waitFor();
        await screenshot(page, `server-rules-servers-${label}`);

        const { mobilesd_job_id: id } = await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
          target_server_alias: 'auto', generation_params: { positive_prompt: `a quiet harbour at night (${label})`, steps: 3, width: 64, height: 64 },
        });
        await page.goto('/queue');
        const row = page.locator(`[data-job-id="${id}"]`);
        await row.getByText('Waiting — forge-local is paused').waitFor();
        await screenshot(page, `server-rules-queue-${label}`);

        await page.goto('/servers');
        await card.getByRole('button', { name: 'Resume forge-local' }).click();
        await card.getByRole('button', { name: 'Pause forge-local' }).waitFor();
        await waitFor(async () => (await env.api<{ status: string }>('GET', `/api/v1/queue/jobs/${id}`)).status === 'completed', 'job ran after resume');

        await card.getByRole('button', { name: 'Edit forge-local' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Largest batch').fill('2');
        await dialog.getByLabel('Tags').fill('sdxl, 24gb, video');
        await dialog.getByRole('group', { name: 'Which jobs, and when' }).scrollIntoViewIfNeeded();
        await screenshot(page, `server-rules-form-${label}`);
        await dialog.getByRole('button', { name: 'Save changes' }).click();
        await waitFor(async () => {
          const [s] = await env.api<Server[]>('GET', '/api/v1/servers');
          return s?.max_batch === 2 && s.tags.includes('video');
        }, 'rules saved from the form');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
