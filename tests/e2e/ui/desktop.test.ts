/**
 * The UI in Debian's Chromium at desktop size (1440x900) against the real headless
 * server and the Forge emulator: add and test a server, submit → live progress → image
 * in the gallery, reorder (move to top + drag) and cancel in the queue, models, settings.
 * Writes tests/e2e/screenshots/<tab>-desktop.png for every tab.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { JobListResponse, JobStatusResponse } from '../../../shared/jobs.ts';
import type { ServerView } from '../../../shared/servers.ts';
import { addServers, DESKTOP, launchChromium, newPage, screenshot, skipReason, startUiEnv, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the desktop UI tests: ${reason}`);

describe.skipIf(!!reason)('UI at desktop size', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  uiSession({ forgeStepMs: 40, servers: false }, (s) => ({ env, browser, context, page, errors } = s));

  const pendingOrder = async () => (await env.api<JobListResponse>('GET', '/api/v1/queue/jobs?status=pending')).jobs.map((j) => j.positive_prompt);
  const rowOrder = async () =>
    page.locator('li[data-job-id]').evaluateAll((els) => els.map((el) => el.querySelector('.prompt')?.textContent?.trim() ?? ''));

  it('adds a server in the Servers tab and tests the connection', async () => {
    await page.goto('/servers');
    await page.getByRole('heading', { name: 'Connect your first server' }).waitFor();
    await screenshot(page, 'servers-empty-desktop');
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a server' });
    await dialog.waitFor();
    // Validation first: an empty form says what is missing.
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await dialog.getByText('Give the server a short name.').waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill('forge-local');
    await dialog.getByLabel('URL', { exact: true }).fill(env.forge.url);
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const card = page.getByRole('listitem', { name: 'Server forge-local' });
    await card.waitFor();
    // Adding runs a connection test; the result shows inline.
    await card.getByText('Connected', { exact: true }).waitFor({ timeout: 15_000 });
    await card.getByRole('button', { name: 'Test connection to forge-local' }).click();
    await card.getByText('Connected', { exact: true }).waitFor();
    await card.getByText('Online').waitFor({ timeout: 15_000 });
    const servers = await env.api<ServerView[]>('GET', '/api/v1/servers');
    expect(servers.map((s) => [s.alias, s.api_url])).toEqual([['forge-local', env.forge.url]]);
    await screenshot(page, 'servers-desktop');

    // Edit opens the same form, prefilled.
    await card.getByRole('button', { name: 'Edit forge-local' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit forge-local' });
    await expect(edit.getByLabel('URL', { exact: true }).inputValue()).resolves.toBe(env.forge.url);
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await edit.waitFor({ state: 'hidden' });
  });

  it('submits from Generate, shows live progress, and the image lands in the Gallery', async () => {
    env.forge.setStepMs(60);
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a lighthouse on a cliff at golden hour');
    await page.getByLabel('Steps', { exact: true }).fill('40');
    // The list comes from the server's resources: wait for the select to replace the text field.
    await page.locator('select#g-checkpoint').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Add to Queue' }).click();
    await page.getByText('Added to queue').first().waitFor();

    const panel = page.getByRole('complementary', { name: 'Latest job' });
    const bar = panel.getByRole('progressbar');
    await waitFor(async () => Number(await bar.getAttribute('aria-valuenow', { timeout: 500 })) > 0, 'live progress in the side panel', 30_000);
    await screenshot(page, 'generate-running-desktop');
    await panel.getByText('Done').first().waitFor({ timeout: 30_000 });
    await panel.getByRole('img', { name: /Result:/ }).waitFor();
    await screenshot(page, 'generate-desktop');

    // The form is remembered across reloads.
    await page.reload();
    await expect(page.getByRole('textbox', { name: 'Prompt', exact: true }).inputValue()).resolves.toBe('a lighthouse on a cliff at golden hour');

    await page.getByRole('link', { name: 'Gallery' }).click();
    const tile = page.getByRole('button', { name: /Open image: a lighthouse on a cliff/ });
    await tile.first().waitFor();
    await screenshot(page, 'gallery-desktop');
    await tile.first().click();
    const viewer = page.getByRole('dialog', { name: /Image 1 of/ });
    await viewer.waitFor();
    await viewer.getByText('a lighthouse on a cliff at golden hour').first().waitFor();
    await viewer.getByRole('heading', { name: 'Infotext' }).waitFor();
    await screenshot(page, 'gallery-lightbox-desktop');
    // "Use these settings" brings the prompt and the image's seed back to Generate.
    await viewer.getByRole('button', { name: 'Use these settings' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expect(page.getByLabel('Seed', { exact: true }).inputValue()).resolves.not.toBe('-1');
  });

  it('reorders (move to top, drag) and cancels in the Queue tab', async () => {
    env.forge.setStepMs(400);
    await page.goto('/queue');
    await page.getByRole('button', { name: 'Pause queue' }).first().click();
    await page.getByText('Queue paused.').waitFor();
    for (const p of ['job one', 'job two', 'job three']) {
      await env.api('POST', '/api/v1/generate', { target_server_alias: 'forge-local', generation_params: { positive_prompt: p, steps: 50 } });
    }
    await waitFor(async () => (await rowOrder()).length === 3, 'three queued rows (SSE)');
    expect(await rowOrder()).toEqual(['job one', 'job two', 'job three']);

    const idOf = async (prompt: string) => (await page.locator('li[data-job-id]', { hasText: prompt }).getAttribute('data-job-id'))!;
    const three = await idOf('job three');
    await page.getByRole('button', { name: `Move job ${three.slice(0, 8)} to top` }).click();
    await waitFor(async () => (await pendingOrder())[0] === 'job three', 'the engine to move job three to the top');
    await waitFor(async () => (await rowOrder())[0] === 'job three', 'the list to show job three first');

    // Drag "job two" (last) above "job three" (first) with the pointer.
    const grip = page.getByRole('button', { name: `Reorder job ${(await idOf('job two')).slice(0, 8)} (drag, or use arrow keys)` });
    const target = page.locator('li[data-job-id]', { hasText: 'job three' });
    const from = (await grip.boundingBox())!;
    const to = (await target.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 + ((to.y + 5 - from.y) * i) / 12);
    await page.mouse.up();
    await waitFor(async () => (await pendingOrder()).join() === 'job two,job three,job one', 'the engine to apply the drag');
    await waitFor(async () => (await rowOrder()).join() === 'job two,job three,job one', 'the list to show the dragged order');

    // Keyboard reorder on the grip: ArrowDown moves one place.
    await page.getByRole('button', { name: `Reorder job ${(await idOf('job two')).slice(0, 8)} (drag, or use arrow keys)` }).focus();
    await page.keyboard.press('ArrowDown');
    await waitFor(async () => (await pendingOrder()).join() === 'job three,job two,job one', 'the keyboard move');
    await screenshot(page, 'queue-desktop');

    // Cancel "job one".
    const one = await idOf('job one');
    await page.getByRole('button', { name: `Cancel job ${one.slice(0, 8)}` }).click();
    await waitFor(async () => (await env.api<JobStatusResponse>('GET', `/api/v1/queue/jobs/${one}/status`)).status === 'cancelled', 'job one cancelled');
    // While the pointer rests on the list the row keeps its place (a second click must not land on another job)…
    await page.locator('li[data-job-id]', { hasText: 'job one' }).getByText('Cancelled').waitFor();
    expect(await rowOrder()).toContain('job one');
    // …and it leaves the Active list once the pointer does.
    await page.mouse.move(1, 1);
    await waitFor(async () => !(await rowOrder()).includes('job one'), 'job one to leave the Active list');

    // Details drawer: parameters, and a requeue with the same parameters.
    await page.locator('li[data-job-id]', { hasText: 'job two' }).locator('.main').click();
    const drawer = page.getByRole('dialog', { name: /^Job / });
    await drawer.getByRole('heading', { name: 'Parameters' }).waitFor();
    await drawer.getByText('50', { exact: true }).first().waitFor();
    await screenshot(page, 'queue-detail-desktop');
    await drawer.getByRole('button', { name: 'Requeue' }).click();
    await page.getByText('Requeued with the same parameters').waitFor();
    await waitFor(async () => (await pendingOrder()).filter((p) => p === 'job two').length === 2, 'the requeued copy');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // Filters: Cancelled shows job one.
    await page.getByRole('radio', { name: 'Cancelled' }).click();
    await waitFor(async () => (await rowOrder()).join() === 'job one', 'the cancelled filter');
    await page.getByRole('radio', { name: /Active/ }).click();
    await page.getByRole('button', { name: 'Resume queue' }).first().click();
    await page.getByText('Queue paused.').waitFor({ state: 'hidden' });
    env.forge.setStepMs(5);
  });

  it('lists models and keeps settings', async () => {
    await page.goto('/models');
    await page.getByRole('heading', { name: 'v1-5-pruned-emaonly' }).waitFor();
    await screenshot(page, 'models-desktop');
    await page.getByRole('radio', { name: 'LoRAs' }).click();
    await page.getByRole('list', { name: 'Models' }).or(page.getByText(/No LoRAs/)).first().waitFor();

    await page.goto('/settings');
    await page.getByRole('radio', { name: 'Light' }).click();
    await waitFor(async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === 'light', 'the light theme');
    await waitFor(async () => (await env.api<{ theme: string }>('GET', '/api/v1/settings')).theme === 'light', 'the theme saved');
    await screenshot(page, 'settings-light-desktop');
    for (const tab of ['', 'queue', 'gallery', 'servers']) {
      await page.goto(`/${tab}`);
      await page.waitForTimeout(400);
      await screenshot(page, `${tab || 'generate'}-light-desktop`);
    }
    await page.goto('/settings');
    await page.getByRole('radio', { name: 'System' }).click();
    await waitFor(async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === undefined, 'the system theme');
    const resume = page.getByRole('switch', { name: 'Resume the queue at start' });
    const before = await resume.getAttribute('aria-checked');
    await resume.click();
    await waitFor(async () => String((await env.api<{ resume_queue_at_start: boolean }>('GET', '/api/v1/settings')).resume_queue_at_start) !== before, 'the switch saved');
    await page.getByRole('textbox', { name: 'Data folder' }).waitFor();
    await expect(page.getByRole('textbox', { name: 'Data folder' }).inputValue()).resolves.toContain(env.server.dataDir);
    // The Civitai token is write-only: saved through the form, reported only as "set".
    await page.getByLabel('Civitai API token').fill('civitai-token-e2e');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('A token is set.').waitFor();
    expect(await env.api<{ civitai_token_set: boolean }>('GET', '/api/v1/settings/civitai-token')).toEqual({ civitai_token_set: true });
    expect(JSON.stringify(await env.api('GET', '/api/v1/settings'))).not.toContain('civitai-token-e2e');
    await screenshot(page, 'settings-desktop');
    expect(errors).toEqual([]);
  });
});

describe.skipIf(!!reason)('Gallery with 10,000 images (API stubbed in the browser)', { timeout: 120_000 }, () => {
  it('pages by cursor and keeps the DOM bounded while scrolling to the end', async () => {
    const browser = await launchChromium();
    try {
      const env = await startUiEnv();
      try {
        const { context, page } = await newPage(browser, env.server.url, DESKTOP);
        const TOTAL = 10_000;
        // 1x1 PNG for every thumbnail.
        const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPj/HwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
        await page.route('**/api/v1/images/*/thumbnail', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: png }));
        let pages = 0;
        await page.route('**/api/v1/gallery/images**', (route) => {
          pages++;
          const url = new URL(route.request().url());
          const limit = Number(url.searchParams.get('limit') ?? 60);
          const after = url.searchParams.get('cursor') ? Number(url.searchParams.get('cursor')) : TOTAL + 1;
          const first = after - 1;
          const count = Math.max(0, Math.min(limit, first));
          const images = Array.from({ length: count }, (_, i) => {
            const id = first - i;
            return {
              id, job_id: '00000000-0000-4000-8000-000000000000', index: 0, server_alias: 'gpu', app_type: 'forge', checkpoint: 'model',
              positive_prompt: `image ${id}`, seed: id, width: 512, height: 512, bytes: 1000, created_at: '2026-01-01T00:00:00.000Z',
              infotext: null, download_url: `/api/v1/images/${id}/download`, thumbnail_url: `/api/v1/images/${id}/thumbnail`,
            };
          });
          const last = images[images.length - 1];
          return route.fulfill({ json: { images, next_cursor: last && last.id > 1 ? String(last.id) : null, total: TOTAL } });
        });
        await page.goto('/gallery');
        await page.getByRole('button', { name: 'Open image: image 10000' }).waitFor();
        let maxCells = 0;
        for (let i = 0; i < 600; i++) {
          await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
          await page.waitForTimeout(20);
          maxCells = Math.max(maxCells, await page.locator('ul.vgrid > li').count());
          if (await page.getByText(`That's all 10,000.`).isVisible()) break;
        }
        await page.getByText(`That's all 10,000.`).waitFor({ timeout: 30_000 });
        expect(maxCells).toBeLessThan(200);
        expect(pages).toBeGreaterThanOrEqual(TOTAL / 60);
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        await page.getByRole('button', { name: 'Open image: image 1', exact: true }).waitFor();
        await screenshot(page, 'gallery-10k-end-desktop');
        await context.close();
      } finally {
        await env.close();
      }
    } finally {
      await browser.close();
    }
  });

  it('runs a pasted ComfyUI workflow end to end into the gallery', async () => {
    const browser = await launchChromium();
    const env = await startUiEnv({ comfy: true });
    try {
      await addServers(env);
      const { context, page } = await newPage(browser, env.server.url, DESKTOP);
      await page.goto('/');
      await page.getByRole('radio', { name: 'ComfyUI' }).click();
      await page.getByRole('radio', { name: 'Custom workflow' }).click();
      const graph = {
        '1': { class_type: 'EmptyImage', inputs: { width: 96, height: 64, batch_size: 1, color: 3355596 } },
        '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'sq-e2e' } },
      };
      await page.getByRole('textbox', { name: 'Workflow JSON' }).fill(JSON.stringify(graph));
      await page.getByText('2 nodes').waitFor();
      await page.getByRole('button', { name: 'Add to Queue' }).click();
      const panel = page.getByRole('complementary', { name: 'Latest job' });
      try {
        await panel.getByText('Done').first().waitFor({ timeout: 30_000 });
      } catch (error) {
        // Say where it stuck: the job in the engine, the servers, the engine's log.
        console.error('[comfy e2e]', JSON.stringify(await env.api('GET', '/api/v1/queue/jobs?limit=5')), JSON.stringify(await env.api('GET', '/api/v1/servers')), env.server.output().slice(-3000));
        throw error;
      }
      const gallery = await env.api<{ images: { app_type: string; server_alias: string; width: number }[] }>('GET', '/api/v1/gallery/images?server=comfy-local');
      expect(gallery.images).toHaveLength(1);
      expect(gallery.images[0]).toMatchObject({ app_type: 'comfyui', server_alias: 'comfy-local', width: 96 });
      expect(env.comfy!.executions.filter((e) => e.outcome === 'success')).toHaveLength(1);
      await context.close();
    } finally {
      await browser.close();
      await env.close();
    }
  });

  it('explains a UI-format ComfyUI workflow and accepts an API-format one', async () => {
    const browser = await launchChromium();
    const env = await startUiEnv();
    try {
      const { context, page } = await newPage(browser, env.server.url, DESKTOP);
      await page.goto('/');
      await page.getByRole('radio', { name: 'ComfyUI' }).click();
      await page.getByRole('radio', { name: 'Custom workflow' }).click();
      const box = page.getByRole('textbox', { name: 'Workflow JSON' });
      await box.fill(JSON.stringify({ last_node_id: 3, nodes: [{ id: 1, type: 'KSampler' }], links: [] }));
      await page.getByText(/This is a UI-format workflow/).waitFor();
      await page.getByText(/Export \(API\)/).first().waitFor();
      await screenshot(page, 'generate-comfy-desktop');
      await box.fill(JSON.stringify({ '3': { class_type: 'KSampler', inputs: {} }, '4': { class_type: 'SaveImage', inputs: {} } }));
      await page.getByText('2 nodes').waitFor();
      await context.close();
    } finally {
      await browser.close();
      await env.close();
    }
  });
});
