/**
 * Several tabs of one browser share one live connection: a browser allows six HTTP/1.1
 * connections per host, so a stream per tab would starve the fourth tab's page loads.
 * Four tabs stay live and load every page; closing the tab that holds the stream hands it
 * to another tab, which keeps receiving events.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addServers, DESKTOP, launchChromium, skipReason, startUiEnv, waitFor, type UiEnv } from '../helpers/ui-env.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the multi-tab UI tests: ${reason}`);

// Counts the EventSources a page holds open (the page's own code cannot hide one), and
// reports each document's count to the test as it changes, so a document that held two
// for a moment is caught even after it has been navigated away.
const COUNT_EVENT_SOURCES = `(() => {
  const Original = window.EventSource;
  window.__openEventSources = 0;
  const report = () => window.__reportEventSources?.(window.__openEventSources);
  window.EventSource = class extends Original {
    constructor(...args) {
      super(...args);
      window.__openEventSources++;
      report();
      let closed = false;
      const close = this.close.bind(this);
      this.close = () => { if (!closed) { closed = true; window.__openEventSources--; report(); } close(); };
    }
  };
})();`;

const PAGES: Array<[path: string, heading: RegExp]> = [
  ['/', /^Generate/],
  ['/queue', /^Queue/],
  ['/gallery', /^Gallery/],
  ['/models', /^Models/],
  ['/civitai', /^Civitai/],
  ['/servers', /^Servers/],
  ['/settings', /^Settings/],
];

describe.skipIf(!!reason)('UI in several tabs', { timeout: 180_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  let context: BrowserContext;
  const tabs: Page[] = [];
  /** The most EventSources any one document ever held at once. */
  let peakPerDocument = 0;

  beforeAll(async () => {
    env = await startUiEnv();
    await addServers(env);
    await env.api('POST', '/api/v1/queue/pause');
    // The browser's back/forward cache stays on: a page frozen in it must not keep the stream.
    browser = await launchChromium();
    context = await browser.newContext({ baseURL: env.server.url, viewport: DESKTOP, colorScheme: 'dark', reducedMotion: 'reduce' });
    await context.exposeFunction('__reportEventSources', (open: number) => {
      peakPerDocument = Math.max(peakPerDocument, open);
    });
    await context.addInitScript(COUNT_EVENT_SOURCES);
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await env?.close();
  });

  const openSources = (page: Page) => page.evaluate(() => (window as unknown as { __openEventSources: number }).__openEventSources);
  const liveTabs = async () => Promise.all(tabs.map((t) => t.getByRole('status', { name: 'Connection: Live' }).isVisible()));

  it('four tabs stay live on one connection and load every page', async () => {
    for (let i = 0; i < 4; i++) {
      const page = await context.newPage();
      tabs.push(page);
      await page.goto('/queue');
      await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 15_000 });
    }
    const counts = await Promise.all(tabs.map(openSources));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(Math.max(...counts)).toBe(1);

    // All tabs at once: the requests compete for the same per-host connections.
    await Promise.all(
      tabs.map(async (page) => {
        for (const [path, heading] of PAGES) {
          await page.goto(path);
          await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 30_000 });
        }
        await page.goto('/queue');
      }),
    );
    await waitFor(async () => (await liveTabs()).every(Boolean), 'every tab live again', 15_000);
    // A hand-over between tabs may still be settling: one stream in all, soon.
    await waitFor(async () => (await Promise.all(tabs.map(openSources))).reduce((a, b) => a + b, 0) === 1, 'one stream across the four tabs', 15_000);
    // Never two at once in one page, in any of the documents loaded (a second source
    // left connecting unseen holds one of the six connections the tabs share).
    expect(peakPerDocument).toBe(1);

    // An event reaches every tab, not only the one holding the stream.
    await env.api('POST', '/api/v1/generate', { target_server_alias: 'forge-local', generation_params: { positive_prompt: 'a fox in four tabs' } });
    for (const page of tabs) await page.getByText('a fox in four tabs').first().waitFor({ timeout: 10_000 });
  });

  it('closing the tab that holds the stream hands it to another tab', async () => {
    const counts = await Promise.all(tabs.map(openSources));
    const leader = tabs[counts.indexOf(1)]!;
    await leader.close();
    tabs.splice(tabs.indexOf(leader), 1);

    await waitFor(async () => (await Promise.all(tabs.map(openSources))).reduce((a, b) => a + b, 0) === 1, 'a new tab to open the stream', 15_000);
    await waitFor(async () => (await liveTabs()).every(Boolean), 'the remaining tabs live', 15_000);
    expect(peakPerDocument).toBe(1);

    await env.api('POST', '/api/v1/generate', { target_server_alias: 'forge-local', generation_params: { positive_prompt: 'a heron after the handover' } });
    for (const page of tabs) await page.getByText('a heron after the handover').first().waitFor({ timeout: 10_000 });
  });

  it('a leader that goes back and forth (back/forward cache) hands over and joins again', async () => {
    const counts = await Promise.all(tabs.map(openSources));
    const leader = tabs[counts.indexOf(1)]!;
    await leader.goto('/settings');
    await leader.getByRole('heading', { level: 1, name: /^Settings/ }).waitFor({ timeout: 30_000 });
    await leader.goBack();
    await leader.getByRole('heading', { level: 1, name: /^Queue/ }).waitFor({ timeout: 30_000 });

    await waitFor(async () => (await liveTabs()).every(Boolean), 'every tab live after the return', 15_000);
    await waitFor(async () => (await Promise.all(tabs.map(openSources))).reduce((a, b) => a + b, 0) === 1, 'one stream after the return', 15_000);
    expect(peakPerDocument).toBe(1);

    await env.api('POST', '/api/v1/generate', { target_server_alias: 'forge-local', generation_params: { positive_prompt: 'an owl after going back' } });
    for (const page of tabs) await page.getByText('an owl after going back').first().waitFor({ timeout: 10_000 });
  });
});
