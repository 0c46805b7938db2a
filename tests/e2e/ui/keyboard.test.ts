/**
 * Keyboard only, no pointer: a pending job is reached with Tab and moved with the arrow
 * keys on its grip (Home to the top), the image viewer opens with Enter, pages with the
 * arrow keys and closes with Escape (focus back on the image that opened it), and a
 * dialog holds focus inside itself until Escape closes it.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobListResponse, JobStatusResponse } from '../../../shared/jobs.ts';
import { screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the keyboard UI tests: ${reason}`);

/** Presses Tab until the focused element's accessible label matches, like a keyboard user would. */
async function tabTo(page: Page, label: RegExp, maxPresses = 80): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el ? el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '' : '';
    });
    if (label.test(focused)) return;
  }
  throw new Error(`no focusable element labelled ${label} within ${maxPresses} Tab presses`);
}

const focusedLabel = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim() ?? '');

describe.skipIf(!!reason)('keyboard-only use', { timeout: 180_000 }, () => {
  let env: UiEnv;
  let page: Page;
  const pending: string[] = [];

  const pendingPrompts = async () => (await env.api<JobListResponse>('GET', '/api/v1/queue/jobs?status=pending&limit=10')).jobs.map((j) => j.positive_prompt);

  uiSession({ forgeStepMs: 5 }, (s) => ({ env, page } = s));

  beforeAll(async () => {
    for (const p of ['a lighthouse at night', 'a fox in the snow']) {
      const { mobilesd_job_id: id } = await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
        target_server_alias: 'forge-local', generation_params: { positive_prompt: p, steps: 3, width: 64, height: 64 },
      });
      await waitFor(async () => (await env.api<JobStatusResponse>('GET', `/api/v1/queue/jobs/${id}/status`)).status === 'completed', `job ${p}`);
    }
    await env.api('POST', '/api/v1/queue/pause');
    for (const p of ['first in line', 'second in line', 'third in line']) {
      pending.push((await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
        target_server_alias: 'forge-local', generation_params: { positive_prompt: p, steps: 3, width: 64, height: 64 },
      })).mobilesd_job_id);
    }
  }, 90_000);

  it('Queue: Tab reaches the last job\'s grip; Home moves it to the top, ↓ one place down, focus stays on it', async () => {
    await page.goto('/queue');
    await page.locator(`li[data-job-id="${pending[2]}"]`).waitFor();
    const shortId = pending[2]!.slice(0, 8);
    await tabTo(page, new RegExp(`^Reorder job ${shortId}`));
    await page.keyboard.press('Home');
    await expect.poll(pendingPrompts, { timeout: 10_000 }).toEqual(['third in line', 'first in line', 'second in line']);
    await page.keyboard.press('ArrowDown');
    await expect.poll(pendingPrompts, { timeout: 10_000 }).toEqual(['first in line', 'third in line', 'second in line']);
    await expect.poll(() => focusedLabel(page)).toMatch(new RegExp(`^Reorder job ${shortId}`));
    // Another client moves the same job: its row moves under the focus, which stays on its grip.
    await env.api('POST', `/api/v1/queue/jobs/${pending[2]}/reorder`, { to: 'bottom' });
    await expect.poll(pendingPrompts, { timeout: 10_000 }).toEqual(['first in line', 'second in line', 'third in line']);
    await page.locator('li[data-job-id]').last().filter({ hasText: 'third in line' }).waitFor();
    await expect.poll(() => focusedLabel(page)).toMatch(new RegExp(`^Reorder job ${shortId}`));
    await screenshot(page, 'keyboard-queue-reorder-desktop');
  });

  it('Image viewer: Enter opens it, → and ← page, Escape closes it and focus returns to the image', async () => {
    await page.goto('/gallery');
    await page.getByRole('button', { name: /^Open image:/ }).first().waitFor();
    await tabTo(page, /^Open image:/);
    const opener = await focusedLabel(page);
    await page.keyboard.press('Enter');
    const viewer = page.getByRole('dialog', { name: /Image \d of 2/ });
    await viewer.waitFor();
    const first = await viewer.getAttribute('aria-label');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => viewer.getAttribute('aria-label')).not.toBe(first);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => viewer.getAttribute('aria-label')).toBe(first);
    await screenshot(page, 'keyboard-lightbox-desktop');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
    await expect.poll(() => focusedLabel(page)).toBe(opener);
  });

  it('Dialogs: Tab and Shift+Tab stay inside the delete confirmation; Escape closes it and deletes nothing', async () => {
    const count = async () => (await env.api<{ images: unknown[] }>('GET', '/api/v1/gallery/images')).images.length;
    const before = await count();
    await page.goto('/gallery');
    await page.getByRole('button', { name: /^Open image:/ }).first().waitFor();
    await tabTo(page, /^Open image:/);
    await page.keyboard.press('Enter');
    const viewer = page.getByRole('dialog', { name: /Image \d of 2/ });
    await viewer.waitFor();
    await page.keyboard.press('Delete');
    const confirm = page.getByRole('dialog', { name: /Delete/ });
    await confirm.waitFor();
    await page.waitForTimeout(300); // entrance transition
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect(await confirm.evaluate((el) => el.contains(document.activeElement)), `focus inside the dialog after ${key}`).toBe(true);
    }
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    await viewer.waitFor();
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
    expect(await count()).toBe(before);
  });
});
