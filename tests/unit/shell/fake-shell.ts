/**
 * Fakes for the desktop shell's modules: the parts of Electron they use (windows, tray,
 * notifications, IPC, app events), an engine that emits events on demand, and an
 * in-memory preference store. Each records what the shell did with it.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { vi } from 'vitest';
import type { Engine } from '../../../electron/engine/engine-types.ts';
import type { Settings } from '../../../electron/engine/queue/settings-store.ts';
import { DEFAULT_SETTINGS } from '../../../electron/engine/queue/settings-store.ts';
import { silentLogger } from '../../../electron/engine/logger.ts';
import type { DesktopPaths } from '../../../electron/main/desktop-paths.ts';
import type { EngineHost } from '../../../electron/main/modules/engine-host.ts';
import { DEFAULT_PREFERENCES, type PreferenceStore, type ShellPreferences } from '../../../electron/main/preferences.ts';
import type { ShellContext, ShellElectron } from '../../../electron/main/shell-context.ts';
import type { EngineEvent } from '../../../shared/events.ts';

export interface FakeElectronState {
  tmp: string;
  lock: boolean;
  ready: boolean;
  notificationsSupported: boolean;
  windows: FakeWindow[];
  trays: FakeTray[];
  notifications: FakeNotification[];
  ipcOn: Map<string, (event: any, ...args: any[]) => void>;
  ipcHandle: Map<string, (event: any, ...args: any[]) => unknown>;
  openedPaths: string[];
  openedExternal: string[];
  errorBoxes: Array<[string, string]>;
  quit: number;
  exitCodes: number[];
  imagesFromBuffer: Buffer[];
}

export interface FakeWindow extends EventEmitter {
  options: any;
  visible: boolean;
  loaded: string[];
  webContents: EventEmitter & { setWindowOpenHandler: ReturnType<typeof vi.fn> };
}
export interface FakeTray extends EventEmitter { tooltip: string; menu: { template: any[] } | null; icon: unknown }
export interface FakeNotification extends EventEmitter { options: any; shown: boolean }

export function fakeElectronState(tmp: string): FakeElectronState {
  return {
    tmp, lock: true, ready: true, notificationsSupported: true, windows: [], trays: [], notifications: [],
    ipcOn: new Map(), ipcHandle: new Map(), openedPaths: [], openedExternal: [], errorBoxes: [], quit: 0, exitCodes: [], imagesFromBuffer: [],
  };
}

/** The `electron` module as the shell uses it; `state` records what happened. */
export function fakeElectron(s: FakeElectronState) {
  const paths: Record<string, string> = {};
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    getPath: (name: string) => paths[name] ?? path.join(s.tmp, name),
    setPath: vi.fn((name: string, value: string) => { paths[name] = value; }),
    getAppPath: () => path.join(s.tmp, 'app'),
    getVersion: () => '0.1.0-test',
    requestSingleInstanceLock: () => s.lock,
    whenReady: () => Promise.resolve(),
    isReady: () => s.ready,
    quit: vi.fn(() => { s.quit++; }),
    exit: vi.fn((code: number) => { s.exitCodes.push(code); }),
    setAppUserModelId: vi.fn(),
    setLoginItemSettings: vi.fn(),
    getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: false }),
  });
  class BrowserWindow extends EventEmitter {
    options: any;
    visible = false;
    destroyed = false;
    loaded: string[] = [];
    webContents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    constructor(options: any) { super(); this.options = options; s.windows.push(this as never); app.emit('web-contents-created', {}, this.webContents); }
    loadURL(url: string) { this.loaded.push(url); return Promise.resolve(); }
    show() { this.visible = true; }
    hide() { this.visible = false; }
    focus() {}
    isMinimized() { return false; }
    restore() {}
    maximize() {}
    isMaximized() { return false; }
    isDestroyed() { return this.destroyed; }
    getNormalBounds() { return { x: 10, y: 20, width: 900, height: 700 }; }
  }
  class Tray extends EventEmitter {
    tooltip = '';
    menu: any = null;
    icon: unknown;
    constructor(icon: unknown) { super(); this.icon = icon; s.trays.push(this as never); }
    setToolTip(text: string) { this.tooltip = text; }
    setContextMenu(menu: unknown) { this.menu = menu; }
  }
  class Notification extends EventEmitter {
    static isSupported() { return s.notificationsSupported; }
    shown = false;
    options: any;
    constructor(options: any) { super(); this.options = options; s.notifications.push(this as never); }
    show() { this.shown = true; }
  }
  const image = (kind: string) => ({ kind, isEmpty: () => false, setTemplateImage: vi.fn() });
  const electron = {
    app,
    BrowserWindow,
    Tray,
    Notification,
    Menu: { buildFromTemplate: (template: unknown[]) => ({ template }), setApplicationMenu: vi.fn() },
    nativeImage: {
      createFromPath: (file: string) => image(`path:${file}`),
      createFromBuffer: (bytes: Buffer) => { s.imagesFromBuffer.push(bytes); return image('buffer'); },
      createEmpty: () => image('empty'),
    },
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
    shell: {
      openExternal: vi.fn(async (url: string) => { s.openedExternal.push(url); }),
      openPath: vi.fn(async (p: string) => { s.openedPaths.push(p); return ''; }),
    },
    dialog: { showErrorBox: vi.fn((title: string, body: string) => { s.errorBoxes.push([title, body]); }) },
    ipcMain: {
      on: (channel: string, fn: any) => s.ipcOn.set(channel, fn),
      handle: (channel: string, fn: any) => s.ipcHandle.set(channel, fn),
    },
  };
  return electron;
}

export type FakeElectron = ReturnType<typeof fakeElectron>;

/** An engine that runs nothing: counts, pause, settings and thumbnails in memory; `emit` plays events. */
export function fakeEngine(outputsDir = '/tmp/sq-outputs') {
  const listeners = new Set<(event: EngineEvent) => void>();
  const settings: Settings = { ...DEFAULT_SETTINGS };
  let paused = false;
  const engine = {
    config: { outputsDir },
    url: null as string | null,
    counts: { pending: 2, processing: 1 } as Record<string, number>,
    onEvent: (listener: (event: EngineEvent) => void) => { listeners.add(listener); return () => { listeners.delete(listener); }; },
    emit: (event: EngineEvent) => { for (const listener of [...listeners]) listener(event); },
    listenerCount: () => listeners.size,
    start: vi.fn(async () => { engine.url = 'http://127.0.0.1:45678'; return { url: engine.url, port: 45678 }; }),
    stop: vi.fn(async () => {}),
    queueCounts: () => engine.counts,
    isPaused: () => paused,
    setPaused: (value: boolean) => { paused = value; },
    settings: () => ({ ...settings }),
    updateSettings: (patch: Partial<Settings>) => { Object.assign(settings, patch); return { ...settings }; },
    thumbnail: vi.fn(async (_imageId: number): Promise<Buffer | null> => null),
  };
  return engine;
}

export type FakeEngine = ReturnType<typeof fakeEngine>;

export const APP_ORIGIN = 'http://127.0.0.1:45678';

export function fakeHost(engine: FakeEngine = fakeEngine()): EngineHost & { engine: FakeEngine } {
  return { engine: engine as FakeEngine & Engine, origin: APP_ORIGIN, token: 'launch-token' } as EngineHost & { engine: FakeEngine };
}

/** electron-store in memory, with the calls the legacy migration makes. */
export function memoryPreferences(seed: Record<string, unknown> = {}) {
  const values: Record<string, unknown> = { ...DEFAULT_PREFERENCES, ...seed };
  const store = {
    values,
    get: (key: string) => values[key],
    set: (key: string, value: unknown) => { values[key] = value; },
    has: (key: string) => key in values,
    delete: (key: string) => { delete values[key]; },
  };
  return store as typeof store & PreferenceStore;
}

export function fakePaths(tmp: string): DesktopPaths {
  return {
    dataDir: path.join(tmp, 'data'),
    outputsDir: path.join(tmp, 'outputs'),
    checkpointPath: null,
    loraPath: null,
    galleryImportPaths: [],
    logFile: path.join(tmp, 'logs', 'stablequeue.log'),
    uiDir: path.join(tmp, 'ui'),
    iconsDir: path.join(tmp, 'icons'),
    preloadPath: path.join(tmp, 'preload', 'index.cjs'),
  };
}

/** The context every module gets, on fakes. */
export function fakeShellContext(s: FakeElectronState, options: { platform?: NodeJS.Platform; prefs?: ReturnType<typeof memoryPreferences> } = {}) {
  const electron = fakeElectron(s);
  const prefs = options.prefs ?? memoryPreferences();
  const context: ShellContext = {
    electron: electron as unknown as ShellElectron,
    platform: options.platform ?? 'linux',
    env: {},
    paths: fakePaths(s.tmp),
    prefs,
    logger: silentLogger(),
  };
  return { context, electron, prefs };
}

export type { ShellPreferences };
