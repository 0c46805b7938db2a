/**
 * Settings → Desktop in Debian's Chromium against the real headless server, with the
 * desktop preload's `window.stablequeue` stood in for by a fake injected before the page
 * loads (the Electron binary is not available to the tests). The section is there only
 * with the bridge, each row calls its bridge action, and a refused "start at login" is
 * said and undone. Also: the route a desktop notification opens shows that job.
 * Writes tests/e2e/screenshots/settings-desktop-section-{desktop,phone}.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { routeForNotification } from '../../../electron/main/job-notifications.ts';
import type { DesktopBootstrap, DesktopPreferences } from '../../../electron/preload/desktop-bridge.ts';
import { addServers, newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the Settings → Desktop tests: ${reason}`);

const LAPTOP = { width: 1280, height: 800 } as const;

type BridgeCall = [string, ...unknown[]];

/**
 * Runs in the page before the app: a bridge with the preload's shape whose actions are
 * recorded on window.__bridgeCalls. The system refuses start at login when asked to.
 */
function installFakeBridge(init: { preferences: DesktopPreferences; refuseStartAtLogin: boolean }): void {
  const calls: unknown[][] = [];
  let preferences = { ...init.preferences };
  const bootstrap: DesktopBootstrap = { apiBase: location.origin, token: '', platform: 'linux', version: '0.0.0-e2e', preferences };
  (window as unknown as { __bridgeCalls: unknown[][] }).__bridgeCalls = calls;
  Object.defineProperty(window, 'stablequeue', {
    value: Object.freeze({
      bootstrap: Object.freeze(bootstrap),
      openOutputsFolder: async () => { calls.push(['openOutputsFolder']); },
      setStartAtLogin: async (enabled: boolean) => {
        calls.push(['setStartAtLogin', enabled]);
        preferences = { ...preferences, startAtLogin: enabled && !init.refuseStartAtLogin };
        return preferences;
      },
      setStartMinimized: async (enabled: boolean) => {
        calls.push(['setStartMinimized', enabled]);
        preferences = { ...preferences, startMinimized: enabled };
        return preferences;
      },
    }),
  });
}

describe.skipIf(!!reason)('Settings → Desktop (fake desktop bridge)', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  uiSession({ servers: false, size: null }, (s) => ({ env, browser } = s));

  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  async function open(size: { width: number; height: number }, bridge: Parameters<typeof installFakeBridge>[0] | null): Promise<{ page: Page; errors: string[] }> {
    const { context, page, errors } = await newPage(browser, env.server.url, size);
    contexts.push(context);
    if (bridge) await context.addInitScript(installFakeBridge, bridge);
    return { page, errors };
  }
  const calls = (page: Page) => page.evaluate(() => (window as unknown as { __bridgeCalls: BridgeCall[] }).__bridgeCalls);
  const desktopSection = (page: Page) => page.getByRole('region', { name: 'Desktop' });

  it('a browser (no bridge) has no Desktop section', async () => {
    const { page, errors } = await open(LAPTOP, null);
    await page.goto('/settings');
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Desktop' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('the desktop app shows the section; each row calls its bridge action', async () => {
    const { page, errors } = await open(LAPTOP, { preferences: { startAtLogin: false, startMinimized: true }, refuseStartAtLogin: false });
    await page.goto('/settings');
    const section = desktopSection(page);
    await section.waitFor();
    const minimized = section.getByRole('switch', { name: 'Start minimized' });
    const atLogin = section.getByRole('switch', { name: 'Start at login' });
    // The switches start from the preferences the bootstrap carries.
    expect(await minimized.getAttribute('aria-checked')).toBe('true');
    expect(await atLogin.getAttribute('aria-checked')).toBe('false');

    await section.getByRole('button', { name: 'Open folder' }).click();
    await atLogin.click();
    await waitFor(async () => (await atLogin.getAttribute('aria-checked')) === 'true', 'start at login on');
    await minimized.click();
    await waitFor(async () => (await minimized.getAttribute('aria-checked')) === 'false', 'start minimized off');
    expect(await calls(page)).toEqual([['openOutputsFolder'], ['setStartAtLogin', true], ['setStartMinimized', false]]);
    await screenshot(page, 'settings-desktop-section-desktop', { fullPage: true });

    // Notifications are one engine setting for the app and the browser alike.
    const notify = page.getByRole('switch', { name: 'Notify when jobs finish' });
    await waitFor(async () => (await notify.isEnabled()) && (await notify.getAttribute('aria-checked')) === 'true', 'settings loaded');
    await notify.click();
    await waitFor(async () => (await env.api<{ notifications_enabled: boolean }>('GET', '/api/v1/settings')).notifications_enabled === false, 'the engine setting saved');
    expect((await calls(page)).map(([name]) => name)).not.toContain('setNotificationsEnabled');
    await notify.click();
    await waitFor(async () => (await env.api<{ notifications_enabled: boolean }>('GET', '/api/v1/settings')).notifications_enabled === true, 'the engine setting saved again');
    expect(errors).toEqual([]);
  });

  it('start at login refused by the system: the switch goes back and says so', async () => {
    const { page } = await open(LAPTOP, { preferences: { startAtLogin: false, startMinimized: false }, refuseStartAtLogin: true });
    await page.goto('/settings');
    const atLogin = desktopSection(page).getByRole('switch', { name: 'Start at login' });
    await atLogin.click();
    await page.getByText('“Start at login” could not be turned on on this system').waitFor();
    expect(await atLogin.getAttribute('aria-checked')).toBe('false');
    expect(await calls(page)).toEqual([['setStartAtLogin', true]]);
  });

  it('at phone size the section reads the same', async () => {
    const { page, errors } = await open(PHONE, { preferences: { startAtLogin: true, startMinimized: false }, refuseStartAtLogin: false });
    await page.goto('/settings');
    const section = desktopSection(page);
    await section.waitFor();
    await section.scrollIntoViewIfNeeded();
    const box = await section.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(PHONE.width);
    for (const name of ['Start at login', 'Start minimized']) {
      const control = await section.getByRole('switch', { name }).boundingBox();
      expect(control!.x + control!.width, name).toBeLessThanOrEqual(PHONE.width);
    }
    await screenshot(page, 'settings-desktop-section-phone');
    expect(errors).toEqual([]);
  });

  it('the route a desktop notification opens shows that job', async () => {
    await addServers(env);
    const { mobilesd_job_id: jobId } = await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
      target_server_alias: 'forge-local', generation_params: { positive_prompt: 'a notification opens me', steps: 2 },
    });
    const { page } = await open(LAPTOP, null);
    await page.goto(`/${routeForNotification({ jobId })}`);
    await page.getByRole('region', { name: 'Prompts' }).getByText('a notification opens me').waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe('/queue');
  });
});
