/**
 * Shared e2e environment for the UI: the headless server as a real child process
 * (`node electron/headless.ts`, serving dist/renderer), the Forge and ComfyUI emulators
 * in-process, and Debian's Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createComfyEmulator } from '../../emulators/comfyui/index.ts';
import { createForgeEmulator } from '../../emulators/forge/index.ts';

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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface HeadlessServer {
  url: string;
  child: ChildProcess;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

/** `node electron/headless.ts` on a free port with a fresh data dir. */
export async function startHeadlessServer(env: Record<string, string> = {}): Promise<HeadlessServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sq-ui-e2e-'));
  let output = '';
  const child = spawn(process.execPath, ['electron/headless.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', STABLEQUEUE_DATA_DIR: dataDir, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`headless server exited early (${child.exitCode}):\n${output}`);
    return (await fetch(`${url}/api/v1/health`)).ok;
  }, 'the headless server');
  return {
    url,
    child,
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
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

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
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
