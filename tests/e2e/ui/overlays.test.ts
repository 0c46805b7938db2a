/**
 * Overlays stack in the order they open: the delete confirmation opened from the image
 * viewer is drawn above it (its button is what a click at its centre hits), and focus
 * starts on Cancel, so an Enter pressed before looking deletes nothing.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobStatusResponse } from '../../../shared/jobs.ts';
import { DESKTOP, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the overlay UI tests: ${reason}`);

interface ImageList {
  images: { id: string }[];
}

describe.skipIf(!!reason)('UI overlays', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let page: Page;

  uiSession({ forgeStepMs: 5 }, (s) => ({ env, page } = s));

  beforeAll(async () => {
    for (const p of ['a red kite over the moor', 'a blue boat in the harbour']) {
      const { mobilesd_job_id: id } = await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
        target_server_alias: 'forge-local',
        generation_params: { positive_prompt: p, steps: 4 },
      });
      await waitFor(async () => (await env.api<JobStatusResponse>('GET', `/api/v1/queue/jobs/${id}/status`)).status === 'completed', `job ${p}`);
    }
  }, 90_000);

  const imageCount = async () => (await env.api<ImageList>('GET', '/api/v1/gallery/images')).images.length;

  /** Is the element the topmost thing at its own centre (what a click there would hit)? */
  const hitTest = (page: Page, selector: string) =>
    page.locator(selector).evaluate((el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !!hit && (hit === el || el.contains(hit));
    });

  for (const [size, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
    it(`the delete confirmation from the viewer is on top and Enter keeps the image (${name})`, async () => {
      await page.setViewportSize(size);
      await page.goto('/gallery');
      await page.getByRole('button', { name: /Open image: a red kite/ }).first().click();
      const viewer = page.getByRole('dialog', { name: /Image \d of/ });
      await viewer.waitFor();
      const before = await imageCount();

      await viewer.getByRole('button', { name: 'Delete image' }).click();
      const confirm = page.getByRole('dialog', { name: /Delete/ });
      await confirm.waitFor();
      const confirmButton = confirm.getByRole('button', { name: /^Delete/ });
      await confirmButton.waitFor();
      await page.waitForTimeout(300); // the dialog's entrance transition
      await confirmButton.evaluate((el) => el.setAttribute('data-test-confirm', ''));
      expect(await hitTest(page, '[data-test-confirm]')).toBe(true);
      await screenshot(page, `lightbox-delete-${name}`);

      // Focus sits on Cancel: Enter closes the question and deletes nothing.
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel');
      await page.keyboard.press('Enter');
      await confirm.waitFor({ state: 'hidden' });
      await page.waitForTimeout(500);
      expect(await imageCount()).toBe(before);
      await viewer.waitFor();

      await page.keyboard.press('Escape');
      await viewer.waitFor({ state: 'hidden' });
    });
  }

  it('"Use these settings" resets the form to the image and submits exactly what is on screen', async () => {
    await page.setViewportSize(DESKTOP);
    // An earlier ComfyUI workflow job left the form in workflow mode on another server.
    await page.goto('/');
    await page.evaluate(() => localStorage.setItem('stablequeue.generate.form.v1', JSON.stringify({
      appType: 'comfyui', target: 'comfy-gone', comfyMode: 'workflow', workflowName: 'old', negative: 'old negative',
      workflowText: JSON.stringify({ '3': { class_type: 'KSampler', inputs: { seed: 1 } } }),
    })));
    await page.goto('/gallery');
    await page.getByRole('button', { name: /Open image: a red kite/ }).first().click();
    const viewer = page.getByRole('dialog', { name: /Image \d of/ });
    await viewer.getByRole('button', { name: 'Use these settings' }).click();
    await page.waitForURL((u) => u.pathname === '/');

    const bodies: Record<string, unknown>[] = [];
    await page.route('**/api/v1/generate', async (route) => {
      bodies.push(route.request().postDataJSON() as Record<string, unknown>);
      await route.continue();
    });
    const onScreen = {
      prompt: await page.getByRole('textbox', { name: 'Prompt', exact: true }).inputValue(),
      seed: Number(await page.getByLabel('Seed', { exact: true }).inputValue()),
    };
    await screenshot(page, 'generate-use-settings-desktop');
    await page.getByRole('button', { name: 'Add to Queue' }).click();
    await expect.poll(() => bodies.length).toBe(1);
    const body = bodies[0] as { app_type: string; target_server_alias: string; generation_params: Record<string, unknown> };
    expect(onScreen.prompt).toBe('a red kite over the moor');
    expect(body.app_type).toBe('forge');
    expect(body.target_server_alias).toBe('forge-local');
    expect(body.generation_params.workflow).toBeUndefined();
    expect(body.generation_params.negative_prompt ?? '').toBe('');
    expect(body.generation_params.positive_prompt).toBe(onScreen.prompt);
    expect(body.generation_params.seed).toBe(onScreen.seed);
    expect(onScreen.seed).toBeGreaterThanOrEqual(0);
  });

  it('the visible confirm button deletes the image', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto('/gallery');
    await page.getByRole('button', { name: /Open image: a blue boat/ }).first().click();
    const before = await imageCount();
    await page.getByRole('dialog', { name: /Image \d of/ }).getByRole('button', { name: 'Delete image' }).click();
    const confirm = page.getByRole('dialog', { name: /Delete/ });
    await confirm.getByRole('button', { name: /^Delete/ }).click();
    await waitFor(async () => (await imageCount()) === before - 1, 'the image deleted');
  });
});
