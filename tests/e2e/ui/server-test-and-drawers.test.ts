/**
 * The server form's Test button answers before anything is saved; after adding a server
 * its "Testing…" toast is replaced by the result; on a phone toasts leave the top bar
 * free; the Civitai downloads drawer's own title and Close button are visible and on top.
 */
import type { Browser, Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, newPage, PHONE, screenshot, skipReason, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the server-test UI tests: ${reason}`);

/** True when a click at the centre of `el` lands on it (nothing drawn over it). */
async function onTop(el: Locator): Promise<boolean> {
  return el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!hit && (hit === node || node.contains(hit));
  });
}

describe.skipIf(!!reason)('server Test button, toasts and the downloads drawer', { timeout: 180_000 }, () => {
  let env: UiEnv;
  let browser: Browser;

  uiSession({ forgeStepMs: 5, servers: false, size: null }, (s) => ({ env, browser } = s));

  for (const [size, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
    it(`tests an address before saving, then replaces the "Testing…" toast with the result (${name})`, async () => {
      const { context, page } = await newPage(browser, env.server.url, size);
      try {
        await page.goto('/servers');
        await page.getByRole('button', { name: 'Add server' }).first().click();
        const dialog = page.getByRole('dialog');
        await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(`forge-${name}`);
        const url = dialog.getByRole('textbox', { name: 'URL', exact: true });
        const test = dialog.getByRole('button', { name: 'Test connection' });

        await url.fill('http://127.0.0.1:9');
        await test.click();
        await dialog.getByText(/^Not reachable:/).waitFor({ timeout: 30_000 });
        await url.fill(env.forge.url);
        await expect.poll(() => dialog.getByText(/^Not reachable:/).count()).toBe(0);
        await test.click();
        await dialog.getByText(/^Connected in \d+ ms/).waitFor({ timeout: 30_000 });
        await screenshot(page, `server-form-test-${name}`);
        // Nothing was saved by testing.
        expect((await env.api<unknown[]>('GET', '/api/v1/servers')).length).toBe(name === 'desktop' ? 0 : 1);

        await dialog.locator('button[type=submit]').click();
        await dialog.waitFor({ state: 'hidden' });
        const result = page.getByRole('status').filter({ hasText: `Added forge-${name}` }).filter({ hasText: 'Connected' });
        await result.waitFor({ timeout: 30_000 });
        // (a leaving toast may take its transition to go)
        await expect.poll(() => page.getByText('Testing the connection…').count(), { timeout: 3_000 }).toBe(0);
        const box = (await result.boundingBox())!;
        if (name === 'phone') {
          // Clear of the top bar, above the tab bar.
          expect(box.y).toBeGreaterThan(120);
          expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height - 60);
        }
        await screenshot(page, `server-added-toast-${name}`);
      } finally {
        await context.close();
      }
    });
  }

  for (const [size, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
    it(`the Civitai downloads drawer shows its title and a Close button on top (${name})`, async () => {
      const { context, page } = await newPage(browser, env.server.url, size);
      try {
        await page.goto('/civitai');
        await page.getByRole('button', { name: /^Downloads/ }).click();
        const drawer = page.getByRole('dialog', { name: 'Downloads' });
        await drawer.waitFor();
        const title = drawer.getByRole('heading', { name: 'Downloads', exact: true });
        // One title: the drawer's own, not the panel's repeated over it.
        expect(await title.count()).toBe(1);
        expect(await title.isVisible()).toBe(true);
        const close = drawer.getByRole('button', { name: 'Close' });
        expect(await onTop(close)).toBe(true);
        expect(await onTop(title)).toBe(true);
        await screenshot(page, `civitai-downloads-drawer-${name}`);
        await close.click();
        await drawer.waitFor({ state: 'hidden' });
      } finally {
        await context.close();
      }
    });
  }
});
