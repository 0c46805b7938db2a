/**
 * electron/main/index.ts with `electron`, electron-store and the engine stubbed: the
 * single-instance lock, where the engine's data goes, the token handed to the window,
 * close-to-tray, the tray, and a notification from an engine event.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineConfig } from '../../../electron/engine/config.ts';
import type { EngineEvent } from '../../../shared/events.ts';
import { IPC_CHANNELS } from '../../../electron/preload/desktop-bridge.ts';

const h = vi.hoisted(() => {
  const state = {
    tmp: '',
    lock: true,
    windows: [] as any[],
    trays: [] as any[],
    notifications: [] as any[],
    ipcOn: new Map<string, (event: any, ...args: any[]) => void>(),
    ipcHandle: new Map<string, (event: any, ...args: any[]) => unknown>(),
    engineConfigs: [] as any[],
    engines: [] as any[],
    app: null as any,
    quit: 0,
    storeSeed: {} as Record<string, unknown>,
    stores: [] as any[],
  };
  return { state };
});

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  const s = h.state;
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    getPath: (name: string) => path.join(s.tmp, name),
    setPath: vi.fn((name: string, value: string) => { (app as any).paths[name] = value; }),
    paths: {} as Record<string, string>,
    getAppPath: () => path.join(s.tmp, 'app'),
    getVersion: () => '0.1.0-test',
    requestSingleInstanceLock: () => s.lock,
    whenReady: () => Promise.resolve(),
    isReady: () => true,
    quit: vi.fn(() => { s.quit++; }),
    exit: vi.fn(),
    setAppUserModelId: vi.fn(),
    setLoginItemSettings: vi.fn(),
    getLoginItemSettings: () => ({ openAtLogin: false }),
  });
  // getPath('userData') must follow setPath, as in Electron.
  const getPath = app.getPath;
  app.getPath = (name: string) => (app as any).paths[name] ?? getPath(name);
  s.app = app;
  class BrowserWindow extends EventEmitter {
    options: any;
    visible = false;
    loaded: string[] = [];
    webContents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    constructor(options: any) { super(); this.options = options; s.windows.push(this); app.emit('web-contents-created', {}, this.webContents); }
    loadURL(url: string) { this.loaded.push(url); return Promise.resolve(); }
    show() { this.visible = true; }
    hide() { this.visible = false; }
    focus() {}
    isMinimized() { return false; }
    restore() {}
    maximize() {}
    isMaximized() { return false; }
    isDestroyed() { return false; }
    getNormalBounds() { return { x: 10, y: 20, width: 900, height: 700 }; }
  }
  class Tray extends EventEmitter {
    tooltip = '';
    menu: any = null;
    icon: unknown;
    constructor(icon: unknown) { super(); this.icon = icon; s.trays.push(this); }
    setToolTip(text: string) { this.tooltip = text; }
    setContextMenu(menu: unknown) { this.menu = menu; }
  }
  class Notification extends EventEmitter {
    static isSupported() { return true; }
    shown = false;
    options: any;
    constructor(options: any) { super(); this.options = options; s.notifications.push(this); }
    show() { this.shown = true; }
  }
  const image = { isEmpty: () => false, setTemplateImage: vi.fn() };
  return {
    app,
    BrowserWindow,
    Tray,
    Notification,
    Menu: { buildFromTemplate: (template: unknown[]) => ({ template }), setApplicationMenu: vi.fn() },
    nativeImage: { createFromPath: () => image, createFromBuffer: () => image, createEmpty: () => image },
    nativeTheme: { shouldUseDarkColors: true },
    safeStorage: {
      isAsyncEncryptionAvailable: async () => false,
      encryptStringAsync: async () => Buffer.alloc(0),
      decryptStringAsync: async () => ({ result: '', shouldReEncrypt: false }),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: vi.fn() },
        setPermissionRequestHandler: vi.fn(),
        setPermissionCheckHandler: vi.fn(),
      },
    },
    shell: { openExternal: vi.fn(async () => {}), openPath: vi.fn(async () => '') },
    dialog: { showErrorBox: vi.fn() },
    ipcMain: {
      on: (channel: string, fn: any) => s.ipcOn.set(channel, fn),
      handle: (channel: string, fn: any) => s.ipcHandle.set(channel, fn),
    },
  };
});

vi.mock('electron-store', () => ({
  default: class {
    values: Record<string, unknown>;
    constructor(options: { defaults: Record<string, unknown> }) { this.values = { ...options.defaults, ...h.state.storeSeed }; h.state.stores.push(this); }
    get(key: string) { return this.values[key]; }
    set(key: string, value: unknown) { this.values[key] = value; }
    has(key: string) { return key in this.values; }
    delete(key: string) { delete this.values[key]; }
  },
}));

vi.mock('../../../electron/engine/index.ts', () => ({
  createEngine: (config: EngineConfig) => {
    const listeners = new Set<(event: EngineEvent) => void>();
    let paused = false;
    const settings = { notifications_enabled: true } as Record<string, unknown>;
    const engine = {
      settingsValues: settings,
      settings: () => ({ ...settings }),
      updateSettings: (patch: Record<string, unknown>) => { Object.assign(settings, patch); return { ...settings }; },
      thumbnail: vi.fn(async () => null),
      config: { outputsDir: config.outputsDir },
      url: null as string | null,
      onEvent: (listener: (event: EngineEvent) => void) => { listeners.add(listener); return () => listeners.delete(listener); },
      emit: (event: EngineEvent) => { for (const listener of listeners) listener(event); },
      start: vi.fn(async () => { engine.url = 'http://127.0.0.1:45678'; return { url: engine.url, port: 45678 }; }),
      stop: vi.fn(async () => {}),
      counts: { pending: 2, processing: 1 } as Record<string, number>,
      queueCounts: () => engine.counts,
      isPaused: () => paused,
      setPaused: (value: boolean) => { paused = value; },
    };
    h.state.engineConfigs.push(config);
    h.state.engines.push(engine);
    return engine;
  },
}));

const s = h.state;
const APP_ORIGIN = 'http://127.0.0.1:45678';

async function launch() {
  vi.resetModules();
  await import('../../../electron/main/index.ts');
  if (s.lock) await vi.waitFor(() => { expect(s.windows.length).toBe(1); });
}

describe('main process wiring (electron stubbed)', () => {
  const savedEnv = { ...process.env };
  const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  beforeEach(() => {
    s.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-main-'));
    s.lock = true;
    s.windows = [];
    s.trays = [];
    s.notifications = [];
    s.ipcOn.clear();
    s.ipcHandle.clear();
    s.engineConfigs = [];
    s.engines = [];
    s.quit = 0;
    s.storeSeed = {};
    s.stores = [];
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
    s.app?.removeAllListeners();
    fs.rmSync(s.tmp, { recursive: true, force: true });
  });

  it('a second instance quits at once and starts no engine', async () => {
    s.lock = false;
    await launch();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s.quit).toBe(1);
    expect(s.engineConfigs).toEqual([]);
    expect(s.windows).toEqual([]);
  });

  it('starts the engine in-process on 127.0.0.1 with its data under userData/data and a per-launch token', async () => {
    await launch();
    const config = s.engineConfigs[0];
    expect(config.dataDir).toBe(path.join(s.tmp, 'appData', 'StableQueue', 'data'));
    expect(config.outputsDir).toBe(path.join(s.tmp, 'pictures', 'StableQueue'));
    expect(config.host).toBe('127.0.0.1');
    expect(config.uiDir).toBe(path.join(s.tmp, 'app', 'dist', 'renderer'));
    expect(config.launchToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(config.secretStore.kind).toBe('file');

    const win = s.windows[0];
    expect(win.loaded).toEqual([`${APP_ORIGIN}/`]);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.options.webPreferences.preload).toMatch(/preload[/\\]index\.cjs$/);

    const event = { senderFrame: { url: `${APP_ORIGIN}/#/` }, returnValue: undefined as unknown };
    s.ipcOn.get(IPC_CHANNELS.bootstrap)!(event);
    expect(event.returnValue).toMatchObject({ apiBase: APP_ORIGIN, token: config.launchToken, version: '0.1.0-test' });
    const stranger = { senderFrame: { url: 'http://127.0.0.1:9/' }, returnValue: undefined as unknown };
    s.ipcOn.get(IPC_CHANNELS.bootstrap)!(stranger);
    expect(stranger.returnValue).toBeNull();
  });

  it('STABLEQUEUE_DATA_DIR moves the data', async () => {
    process.env.STABLEQUEUE_DATA_DIR = path.join(s.tmp, 'elsewhere');
    await launch();
    expect(s.engineConfigs[0].dataDir).toBe(path.join(s.tmp, 'elsewhere'));
  });

  it('a second launch shows the window; closing hides it to the tray until quitting', async () => {
    await launch();
    const win = s.windows[0];
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);

    const close = { preventDefault: vi.fn() };
    win.emit('close', close);
    expect(close.preventDefault).toHaveBeenCalled();
    expect(win.visible).toBe(false);

    s.app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(s.windows).toHaveLength(1);

    s.app.emit('window-all-closed');
    expect(s.quit).toBe(0);
    s.app.emit('before-quit');
    const closing = { preventDefault: vi.fn() };
    win.emit('close', closing);
    expect(closing.preventDefault).not.toHaveBeenCalled();
  });

  it('the tray shows the counts and pauses the queue', async () => {
    await launch();
    const tray = s.trays[0];
    expect(tray.tooltip).toBe('StableQueue: 2 pending, 1 running');
    const pause = tray.menu.template.find((item: any) => item.id === 'pause');
    expect(pause.label).toBe('Pause queue');
    pause.click();
    expect(s.engines[0].isPaused()).toBe(true);
  });

  it('a completed job notifies; a click opens the job in the window', async () => {
    await launch();
    const engine = s.engines[0];
    engine.emit({
      type: 'job.finished',
      job: {
        mobilesd_job_id: 'job-1', status: 'completed', positive_prompt: 'a red fox', image_count: 1, first_image_id: null,
        assigned_server_alias: 'gpu', target_server_alias: 'auto', error_message: null,
      },
    } as unknown as EngineEvent);
    await vi.waitFor(() => { expect(s.notifications).toHaveLength(1); });
    const notification = s.notifications[0];
    expect(notification.options).toMatchObject({ title: 'Job completed on gpu', body: 'a red fox\n1 image' });
    expect(notification.shown).toBe(true);
    notification.emit('click');
    expect(s.windows[0].loaded.at(-1)).toBe(`${APP_ORIGIN}/queue?job=job-1`);
    expect(s.windows[0].visible).toBe(true);
  });

  it('the Settings notifications switch (the engine setting) silences desktop notifications', async () => {
    await launch();
    const engine = s.engines[0];
    engine.updateSettings({ notifications_enabled: false });
    engine.emit({
      type: 'job.finished',
      job: {
        mobilesd_job_id: 'job-2', status: 'completed', positive_prompt: 'a red fox', image_count: 1, first_image_id: null,
        assigned_server_alias: 'gpu', target_server_alias: 'auto', error_message: null,
      },
    } as unknown as EngineEvent);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s.notifications).toEqual([]);
  });

  it('an old desktop preference that turned notifications off moves into the engine setting once', async () => {
    s.storeSeed = { notificationsEnabled: false };
    await launch();
    expect(s.engines[0].settingsValues.notifications_enabled).toBe(false);
    expect(s.stores[0].values).not.toHaveProperty('notificationsEnabled');
  });
});
