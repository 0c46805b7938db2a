/**
 * Settings → Notification targets in Chromium: add a webhook, send it a test and read its
 * delivery, edit its events in place, choose what this app itself notifies, and set the
 * public address links point at. Desktop and phone.
 * Writes tests/e2e/screenshots/notification-settings-{desktop,phone}.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { DESKTOP, launchChromium, newPage, PHONE, screenshot, skipReason, startHeadlessServer, waitFor, type HeadlessServer } from '../helpers/ui-env.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the notification settings tests: ${reason}`);

describe.skipIf(!!reason)('Settings → Notification targets', { timeout: 150_000 }, () => {
  let server: HeadlessServer;
  let receiver: WebhookReceiver;
  let browser: Browser;
  const get = async (p: string) => (await fetch(`${server.url}${p}`)).json() as Promise<any>;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    server = await startHeadlessServer();
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.close();
  });

  it('adds, tests and edits a webhook; this app\'s events and the public address are saved', async () => {
    const { page, context } = await newPage(browser, server.url, DESKTOP);
    await page.goto('/settings');
    const panel = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Notification targets' }) });
    await panel.waitFor();

    await panel.getByLabel('Kind').selectOption('webhook');
    await panel.getByLabel('URL').fill(`${receiver.url}/sd-hook`);
    const addForm = panel.getByRole('form', { name: 'Add a notification target' });
    for (const label of ['A job failed', 'The whole queue is done']) await addForm.getByLabel(label).uncheck();
    await addForm.getByRole('button', { name: 'Add target' }).click();
    const row = panel.locator('li').filter({ hasText: '/sd-hook' });
    await row.waitFor();
    expect(await row.textContent()).toContain('A job finished');

    await row.getByRole('button', { name: 'Test' }).click();
    await waitFor(async () => receiver.received.find((r) => r.url === '/sd-hook'), 'the test delivery');
    await row.getByRole('button', { name: 'Deliveries' }).click();
    await expect.poll(() => row.locator('table').textContent(), { timeout: 10_000 }).toContain('delivered');

    await row.getByRole('button', { name: /^Edit/ }).click();
    const edit = row.getByRole('form', { name: 'Edit notification target' });
    await edit.getByLabel('A job finished').uncheck();
    await edit.getByLabel('A server went offline').check();
    await edit.getByRole('button', { name: 'Save target' }).click();
    await expect.poll(() => row.locator('.events').textContent(), { timeout: 10_000 }).toBe('A server went offline');
    const [hook] = (await get('/api/v1/webhooks')).webhooks;
    expect(hook.events).toEqual(['server.offline']);

    const app = panel.getByRole('region', { name: 'This browser tab' });
    await app.getByLabel('A job finished').uncheck();
    await app.getByLabel('A model download finished').check();
    await expect.poll(async () => (await get('/api/v1/settings')).desktop_notify_events, { timeout: 10_000 })
      .toEqual(['job.failed', 'queue.drained', 'download.finished']);

    const address = panel.getByLabel('Address for links in notifications');
    await address.fill('not an address');
    await address.press('Enter');
    await panel.getByRole('alert').filter({ hasText: 'http://' }).waitFor();
    await address.fill('https://sd.home.example/');
    await address.press('Enter');
    await expect.poll(async () => (await get('/api/v1/settings')).public_url, { timeout: 10_000 }).toBe('https://sd.home.example');
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'notification-settings-desktop');
    await context.close();
  });

  it('fits a phone: the targets, their buttons and the add form stay usable', async () => {
    const { page, context } = await newPage(browser, server.url, PHONE);
    await page.goto('/settings');
    const panel = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Notification targets' }) });
    const row = panel.locator('li').filter({ hasText: '/sd-hook' });
    await row.waitFor();
    await row.scrollIntoViewIfNeeded();
    for (const name of ['Test', 'Deliveries']) {
      const box = await row.getByRole('button', { name }).boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    }
    await screenshot(page, 'notification-settings-phone');
    await context.close();
  });
});
