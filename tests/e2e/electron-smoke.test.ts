/**
 * A real Electron launch through Playwright's `_electron`: runs only where an Electron
 * binary exists (and, on Linux, a display: use xvfb-run). Elsewhere it is skipped, and
 * says why on the console.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BRIDGE_KEYS } from '../../electron/preload/desktop-bridge.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/**
 * The binary `require('electron')` would return, found the same way (path.txt, dist/,
 * ELECTRON_OVERRIDE_DIST_PATH) but without calling it: the electron package's index.js
 * starts a download when the binary is missing, which cannot work on our machines.
 */
function electronBinary(): string | null {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(packageDir, 'path.txt');
  const executable = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override
    ? path.join(override, executable || 'electron')
    : executable ? path.join(packageDir, 'dist', executable) : null;
  return candidate && fs.existsSync(candidate) ? candidate : null;
}

const binary = electronBinary();
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skipReason = !binary
  ? 'no Electron binary in node_modules/electron/dist (it cannot be downloaded on this machine)'
  : needsDisplay
    ? 'no display: run the tests under xvfb-run to launch Electron'
    : null;
if (skipReason) console.warn(`[electron-smoke] skipped: ${skipReason}`);

describe('Electron smoke test', () => {
  it.skipIf(skipReason !== null)('launches the tray app, loads the UI from the embedded engine, exposes only the bridge', async () => {
    // The main process runs from dist/ (tsc); the UI from dist/renderer (vite build, done by npm test).
    await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.node.json'], { cwd: ROOT, timeout: 180_000 });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-electron-'));
    const app = await electron.launch({
      executablePath: binary!,
      args: [ROOT],
      cwd: ROOT,
      env: { ...process.env, STABLEQUEUE_DATA_DIR: dataDir, STABLE_DIFFUSION_SAVE_PATH: path.join(dataDir, 'outputs') } as Record<string, string>,
      timeout: 90_000,
    });
    try {
      const window = await app.firstWindow();
      await window.waitForLoadState('domcontentloaded');
      const url = new URL(window.url());
      expect(url.hostname).toBe('127.0.0.1');
      expect(await window.title()).toContain('StableQueue');

      const bridge = await window.evaluate(() => {
        const w = window as unknown as Record<string, any>;
        let evalBlocked = false;
        try { (0, eval)('1'); } catch { evalBlocked = true; }
        return {
          keys: Object.keys(w.stablequeue ?? {}),
          apiBase: w.stablequeue?.bootstrap?.apiBase,
          tokenLength: String(w.stablequeue?.bootstrap?.token ?? '').length,
          require: typeof w.require,
          process: typeof w.process,
          evalBlocked,
        };
      });
      expect(bridge.keys).toEqual([...BRIDGE_KEYS]);
      expect(bridge.apiBase).toBe(url.origin);
      expect(bridge.tokenLength).toBeGreaterThanOrEqual(43);
      expect(bridge.require).toBe('undefined');
      expect(bridge.process).toBe('undefined');
      expect(bridge.evalBlocked).toBe(true); // the CSP is in force

      const health = await window.evaluate(async () => (await fetch('/api/v1/health')).json());
      expect(health).toMatchObject({ ok: true });
      expect(fs.readdirSync(dataDir).some((file) => file.endsWith('.db'))).toBe(true);

      const main = await app.evaluate(({ app: electronApp }) => ({ ready: electronApp.isReady(), userData: electronApp.getPath('userData') }));
      expect(main.ready).toBe(true);
      expect(path.basename(main.userData)).toBe('StableQueue');
    } finally {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
