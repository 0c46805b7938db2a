/**
 * Shared e2e environment for the UI: the headless server as a real child process
 * (`node electron/headless.ts`, serving dist/renderer), the Forge and ComfyUI emulators
 * in-process, and Debian's Chromium driven by playwright-core.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createComfyEmulator } from '../../emulators/comfyui/index.ts';
import { createForgeEmulator } from '../../emulators/forge/index.ts';
import { startHeadless } from '../../helpers/headless-process.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(ROOT, 'tests/e2e/screenshots');
export const UI_DIR = path.join(ROOT, 'dist/renderer');

export const DESKTOP = { width: 1440, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Why the UI e2e tests cannot run here, or null when they can. */
export function skipReason(): string | null {
  if (!fs.existsSync(CHROMIUM_PATH)) return `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`;
  if (!fs.existsSync(path.join(UI_DIR, 'index.html'))) return 'dist/renderer is not built (run `npx vite build` or `npm test`)';
  return null;
}

export interface HeadlessServer {
  url: string;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

/** `node electron/headless.ts` on a free port with a fresh data dir (the shared test helper). */
export async function startHeadlessServer(env: Record<string, string> = {}): Promise<HeadlessServer> {
  const tmp = makeTempDir('sq-ui-e2e-');
  const server = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir, ...env }).catch((error: unknown) => {
    tmp.cleanup();
    throw error;
  });
  return {
    url: server.url,
    dataDir: tmp.dir,
    output: server.output,
    async stop() {
      await server.terminate();
      tmp.cleanup();
    },
  };
}

export interface UiEnv {
  server: HeadlessServer;
  forge: Awaited<ReturnType<typeof createForgeEmulator>>;
  comfy: Awaited<ReturnType<typeof createComfyEmulator>> | null;
  /** JSON call to the engine's API (for arranging state the test is not about). */
  api<T = unknown>(method: string, p: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startUiEnv(opts: { forgeStepMs?: number; comfy?: boolean } = {}): Promise<UiEnv> {
  const forge = await createForgeEmulator({ port: 0, stepMs: opts.forgeStepMs ?? 20 });
  const comfy = opts.comfy ? await createComfyEmulator({ port: 0 }) : null;
  let server: HeadlessServer;
  try {
    server = await startHeadlessServer();
  } catch (err) {
    await forge.close();
    await comfy?.close();
    throw err;
  }
  async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${server.url}${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    server,
    forge,
    comfy,
    api,
    async close() {
      await server.stop();
      await forge.close();
      await comfy?.close();
    },
  };
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', ...extraArgs],
  });
}

export async function newPage(
  browser: Browser,
  baseURL: string,
  size: { width: number; height: number },
  opts: { colorScheme?: 'dark' | 'light' } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const phone = size.width < 600;
  const context = await browser.newContext({
    baseURL,
    viewport: size,
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    colorScheme: opts.colorScheme ?? 'dark',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(msg.text());
  });
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Let images and transitions settle so the picture shows the real state.
  await page.waitForLoadState('networkidle', { timeout: 1500 }).catch(() => undefined);
  await page.evaluate(async () => {
    const imgs = Array.from(document.images).filter((i) => !i.complete);
    await Promise.race([Promise.all(imgs.map((i) => new Promise((r) => ((i.onload = r), (i.onerror = r))))), new Promise((r) => setTimeout(r, 2000))]);
  });
  await page.waitForTimeout(250);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false });
  return file;
}

/** Register the Forge emulator (and ComfyUI when running and the engine supports it) through the API. */
export async function addServers(env: UiEnv): Promise<void> {
  await env.api('POST', '/api/v1/servers', { alias: 'forge-local', app_type: 'forge', api_url: env.forge.url, max_concurrency: 1 });
  if (env.comfy) {
    try {
      await env.api('POST', '/api/v1/servers', { alias: 'comfy-local', app_type: 'comfyui', api_url: env.comfy.url, max_concurrency: 1 });
    } catch (err) {
      console.warn(`[ui-e2e] ComfyUI server not registered (engine without a ComfyUI backend?): ${String(err).slice(0, 200)}`);
    }
  }
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
