/**
 * electron/main/index.ts with `electron`, electron-store and the engine stubbed: that the
 * modules are enabled together and in order. What each module does is tested on its own
 * in modules/*.test.ts; here only what needs them all: the single-instance lock stops
 * everything, the engine's data goes where the desktop keeps it, the window and the
 * bridge get the engine's origin and token, and an engine event becomes a notification
 * that follows the engine setting and opens the job in the window.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineConfig } from '../../../electron/engine/config.ts';
import { IPC_CHANNELS } from '../../../electron/preload/desktop-bridge.ts';
import type { EngineEvent } from '../../../shared/events.ts';
import { fakeElectronState, type FakeElectronState, type FakeEngine } from './fake-shell.ts';

const h = vi.hoisted(() => ({
  // One object for the whole file, reset in place: the mocked module may outlive a test.
  state: {} as FakeElectronState,
  app: null as null | { removeAllListeners(): void },
  engineConfigs: [] as EngineConfig[],
  engines: [] as FakeEngine[],
  storeFails: false,
}));

vi.mock('electron', async () => {
  const { fakeElectron } = await import('./fake-shell.ts');
  const electron = fakeElectron(h.state);
  h.app = electron.app;
  return electron;
});

vi.mock('electron-store', () => ({
  default: class {
    values: Record<string, unknown>;
    constructor(options: { defaults: Record<string, unknown> }) {
      if (h.storeFails) throw new Error('preferences.json is not readable');
      this.values = { ...options.defaults };
    }
    get(key: string) { return this.values[key]; }
    set(key: string, value: unknown) { this.values[key] = value; }
    has(key: string) { return key in this.values; }
    delete(key: string) { delete this.values[key]; }
  },
}));

vi.mock('../../../electron/engine/index.ts', async () => {
  const { fakeEngine } = await import('./fake-shell.ts');
  return {
    createEngine: (config: EngineConfig) => {
      const engine = fakeEngine(config.outputsDir);
      h.engineConfigs.push(config);
      h.engines.push(engine);
      return engine;
    },
  };
});

const APP_ORIGIN = 'http://127.0.0.1:45678';

async function launch() {
  vi.resetModules();
  await import('../../../electron/main/index.ts');
  if (h.state.lock) await vi.waitFor(() => { expect(h.state.errorBoxes).toEqual([]); expect(h.state.windows.length).toBe(1); });
  return h.state;
}

describe('main process wiring (electron stubbed)', () => {
  const savedEnv = { ...process.env };
  const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  beforeEach(() => {
    Object.assign(h.state, fakeElectronState(fs.mkdtempSync(path.join(os.tmpdir(), 'sq-main-'))));
    h.engineConfigs = [];
    h.engines = [];
    h.storeFails = false;
    delete process.env.STABLEQUEUE_DATA_DIR;
    delete process.env.STABLE_DIFFUSION_SAVE_PATH;
  });
  afterEach(() => {
    // index.ts quits on SIGINT/SIGTERM: take those listeners off the test worker again.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) {
        if (!signalListeners[signal].includes(listener)) process.off(signal, listener);
      }
    }
    process.env = { ...savedEnv };
    h.app?.removeAllListeners();
    fs.rmSync(h.state.tmp, { recursive: true, force: true });
  });

  it('a second instance quits at once and starts no engine', async () => {
    h.state.lock = false;
    vi.resetModules();
    await import('../../../electron/main/index.ts');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.state.quit).toBe(1);
    expect(h.engineConfigs).toEqual([]);
    expect(h.state.windows).toEqual([]);
  });

  it('starts the engine in-process on 127.0.0.1 with its data under userData/data; the window, tray and bridge get its origin and token', async () => {
    const s = await launch();
    const config = h.engineConfigs[0]!;
    expect(config.dataDir).toBe(path.join(s.tmp, 'appData', 'StableQueue', 'data'));
    expect(config.outputsDir).toBe(path.join(s.tmp, 'pictures', 'StableQueue'));
    expect(config.host).toBe('127.0.0.1');
    expect(config.uiDir).toBe(path.join(s.tmp, 'app', 'dist', 'renderer'));
    expect(config.launchToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(config.secretStore!.kind).toBe('file');

    const win = s.windows[0]!;
    expect(win.loaded).toEqual([`${APP_ORIGIN}/`]);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.options.webPreferences.preload).toMatch(/preload[/\\]index\.cjs$/);
    expect(s.trays[0]!.tooltip).toBe('StableQueue: 2 pending, 1 running');

    const event = { senderFrame: { url: `${APP_ORIGIN}/` }, returnValue: undefined as unknown };
    s.ipcOn.get(IPC_CHANNELS.bootstrap)!(event);
    expect(event.returnValue).toMatchObject({ apiBase: APP_ORIGIN, token: config.launchToken, version: '0.1.0-test' });
    const stranger = { senderFrame: { url: 'http://127.0.0.1:9/' }, returnValue: undefined as unknown };
    s.ipcOn.get(IPC_CHANNELS.bootstrap)!(stranger);
    expect(stranger.returnValue).toBeNull();
  });

  it('a failure outside the engine host is reported and the app exits with 1, not left half-started', async () => {
    h.storeFails = true;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.resetModules();
    await import('../../../electron/main/index.ts');
    await vi.waitFor(() => { expect(h.state.exitCodes).toEqual([1]); });
    expect(String(errors.mock.calls[0])).toContain('preferences.json is not readable');
    expect(h.engineConfigs).toEqual([]);
    errors.mockRestore();
  });

  it('STABLEQUEUE_DATA_DIR moves the data', async () => {
    process.env.STABLEQUEUE_DATA_DIR = path.join(h.state.tmp, 'elsewhere');
    await launch();
    expect(h.engineConfigs[0]!.dataDir).toBe(path.join(h.state.tmp, 'elsewhere'));
  });

  it('a completed job notifies unless the engine setting says no; a click opens the job in the window', async () => {
    const s = await launch();
    const engine = h.engines[0]!;
    const finished = (id: string) => ({
      type: 'job.finished',
      job: {
        mobilesd_job_id: id, status: 'completed', positive_prompt: 'a red fox', image_count: 1, first_image_id: null,
        assigned_server_alias: 'gpu', target_server_alias: 'auto', error_message: null,
      },
    }) as unknown as EngineEvent;
    engine.updateSettings({ notifications_enabled: false });
    engine.emit(finished('job-0'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s.notifications).toEqual([]);

    engine.updateSettings({ notifications_enabled: true });
    engine.emit(finished('job-1'));
    await vi.waitFor(() => { expect(s.notifications).toHaveLength(1); });
    const notification = s.notifications[0]!;
    expect(notification.options).toMatchObject({ title: 'Job completed on gpu', body: 'a red fox\n1 image' });
    expect(notification.shown).toBe(true);
    notification.emit('click');
    expect(s.windows[0]!.loaded.at(-1)).toBe(`${APP_ORIGIN}/queue?job=job-1`);
    expect(s.windows[0]!.visible).toBe(true);
  });
});
