import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { CHROMIUM_PATH, skipReason, UI_DIR } from '../helpers/ui-env.ts';

const skip = skipReason();

describe.skipIf(skip !== null)('installable web app', { timeout: 120_000 }, () => {
  let sq: TestEngine;
  let browser: Browser;

  beforeAll(async () => {
    sq = await startTestEngine({ uiDir: UI_DIR });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  });
  afterAll(async () => {
    await browser?.close();
    await sq?.stop();
  });

  it('serves a manifest with icons, and its service worker keeps the shell loading while the server is unreachable', async () => {
    const manifest = await (await fetch(`${sq.url}/manifest.webmanifest`)).json();
    expect(manifest).toMatchObject({ name: 'StableQueue', display: 'standalone', start_url: '/queue' });
    for (const icon of manifest.icons) {
      const res = await fetch(new URL(icon.src, sq.url));
      expect(res.status, icon.src).toBe(200);
      expect(res.headers.get('content-type')).toContain('image/png');
    }

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${sq.url}/queue`);
    expect(await page.getAttribute('link[rel="manifest"]', 'href')).toBe('/manifest.webmanifest');
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null)).toBe(`${sq.url}/sw.js`);

    // The shell comes from the cache: with the network cut, a client route still opens the app.
    await context.setOffline(true);
    await page.goto(`${sq.url}/gallery`);
    await page.waitForSelector('#app > *', { timeout: 15_000 });
    expect(await page.title()).toContain('StableQueue');
    await context.close();
  });

  it('shows a Web Push message as a notification with its job link (permission granted)', async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['notifications'], { origin: sq.url });
    const page = await context.newPage();
    await page.goto(`${sq.url}/queue`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const cdp = await context.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string }[] }) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    await expect.poll(() => registrations.length).toBeGreaterThan(0);
    const payload = { title: 'Job finished', body: 'a fox in snow (1 image)', open: '/queue?job=abc', tag: 'abc', image: null };
    // Delivered again until it shows (the tag keeps it one notification): the worker may still be starting.
    await expect.poll(async () => {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: sq.url, registrationId: registrations[0].registrationId, data: JSON.stringify(payload) });
      return page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, open: n.data?.open }));
      });
    }, { timeout: 20_000 }).toEqual([{ title: 'Job finished', body: 'a fox in snow (1 image)', open: '/queue?job=abc' }]);
    await context.close();
  });
});
