/**
 * Settings → Backups & diagnostics in Debian's Chromium against the real headless server:
 * take a backup, schedule a restore through the confirmation and cancel it, change how many
 * backups are kept, and download the diagnostics zip.
 * Writes tests/e2e/screenshots/settings-maintenance-{desktop,phone}.png.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackupList } from '../../../shared/ops.ts';
import { newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the Settings → Backups tests: ${reason}`);

const LAPTOP = { width: 1280, height: 800 } as const;

describe.skipIf(!!reason)('Settings → Backups & diagnostics', { timeout: 120_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  uiSession({ servers: false, size: null }, (s) => ({ env, browser } = s));
  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  it('backs up, schedules and cancels a restore, keeps N, and downloads the diagnostics zip', async () => {
    const { context, page, errors } = await newPage(browser, env.server.url, LAPTOP);
    contexts.push(context);
    await page.goto('/settings');
    const section = page.locator('section[aria-labelledby="set-maintenance"]');
    await section.getByRole('heading', { name: 'Database backups' }).waitFor();
    const before = (await env.api<BackupList>('GET', '/api/v1/backups')).backups.length;

    await section.getByRole('button', { name: 'Back up now' }).click();
    await page.getByText('Backup taken').waitFor();
    const list = await waitFor(async () => {
      const l = await env.api<BackupList>('GET', '/api/v1/backups');
      return l.backups.length === before + 1 ? l : null;
    }, 'the new backup');
    await section.getByText(/Manual ·/).first().waitFor();

    await section.getByRole('button', { name: /^Restore the backup of/ }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Restore this backup?').waitFor();
    await dialog.getByRole('button', { name: 'Restore at restart' }).click();
    await section.getByText('Restore scheduled:').waitFor();
    expect((await env.api<BackupList>('GET', '/api/v1/backups')).pending_restore).toBe(list.backups[0].name);
    await section.getByRole('button', { name: 'Cancel', exact: true }).click();
    await waitFor(async () => (await env.api<BackupList>('GET', '/api/v1/backups')).pending_restore === null, 'restore cancelled');
    await section.getByText('Restore scheduled:').waitFor({ state: 'detached', timeout: 10_000 });

    await section.getByLabel('Keep').fill('3');
    await section.getByLabel('Keep').press('Enter');
    await section.getByLabel('Keep').blur();
    await waitFor(async () => (await env.api<BackupList>('GET', '/api/v1/backups')).keep === 3, 'keep saved');

    const [download] = await Promise.all([page.waitForEvent('download'), section.getByText('Download diagnostics').click()]);
    expect(download.suggestedFilename()).toMatch(/^stablequeue-diagnostics-.*\.zip$/);
    const bytes = fs.readFileSync((await download.path())!);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');

    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-maintenance-desktop');
    expect(errors).toEqual([]);
  });

  it('fits a phone screen', async () => {
    const { context, page, errors } = await newPage(browser, env.server.url, PHONE);
    contexts.push(context);
    await page.goto('/settings');
    const section = page.locator('section[aria-labelledby="set-maintenance"]');
    await section.getByRole('heading', { name: 'Disk space' }).waitFor();
    await section.scrollIntoViewIfNeeded();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'settings-maintenance-phone');
    expect(errors).toEqual([]);
  });
});
