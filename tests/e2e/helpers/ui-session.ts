/**
 * The frame most UI test files share, registered as the file's beforeAll / afterAll: the
 * headless server with its emulators (startUiEnv), the emulators added as servers
 * (addServers), Chromium, and one page. Call it inside the describe; `use` receives the
 * session before the first test. Everything is closed after the last test, also when the
 * set-up failed half-way. A file arranges what its tests need in a beforeAll of its own,
 * registered after this one (before hooks run in order, after hooks in reverse).
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addServers, DESKTOP, launchChromium, newPage, startUiEnv, type UiEnv } from './ui-env.ts';

export interface UiBrowserSession {
  env: UiEnv;
  browser: Browser;
}

export interface UiPageSession extends UiBrowserSession {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far (see newPage). */
  errors: string[];
}

export interface UiSessionOptions {
  forgeStepMs?: number;
  comfy?: boolean;
  /** Add the emulators as servers (forge-local, comfy-local); default true. */
  servers?: boolean;
  /** The page the tests share; null for a file whose tests open their own. Default DESKTOP. */
  size?: { width: number; height: number } | null;
  colorScheme?: 'dark' | 'light';
}

export function uiSession(opts: UiSessionOptions & { size: null }, use: (session: UiBrowserSession) => unknown): void;
export function uiSession(opts: UiSessionOptions, use: (session: UiPageSession) => unknown): void;
export function uiSession(opts: UiSessionOptions, use: (session: UiPageSession) => unknown): void {
  const open: Partial<UiPageSession> = {};
  beforeAll(async () => {
    const env = (open.env = await startUiEnv({ forgeStepMs: opts.forgeStepMs, comfy: opts.comfy }));
    if (opts.servers !== false) await addServers(env);
    const browser = (open.browser = await launchChromium());
    if (opts.size !== null) Object.assign(open, await newPage(browser, env.server.url, opts.size ?? DESKTOP, { colorScheme: opts.colorScheme }));
    await use(open as UiPageSession);
  }, 90_000);
  afterAll(async () => {
    await open.context?.close();
    await open.browser?.close();
    await open.env?.close();
  });
}
