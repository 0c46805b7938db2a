/**
 * The Electron main process: a thin shell around the engine. It wires the real `electron`
 * module to the small testable pieces in this folder; no logic of its own lives here.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  nativeTheme,
  Notification,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  type MenuItemConstructorOptions,
} from 'electron';
import Store from 'electron-store';
import pino from 'pino';
import type { EngineEvent } from '../../shared/events.ts';
import { createEngine } from '../engine/index.ts';
import type { Engine } from '../engine/engine-types.ts';
import { createLogger } from '../engine/logger.ts';
import { createDesktopSecretStore } from '../engine/security/secret-store-chain.ts';
import type { DesktopBootstrap, DesktopPreferences } from '../preload/desktop-bridge.ts';
import { applyStartAtLogin, HIDDEN_ARG, launchCommand, linuxAutostartPath } from './autostart.ts';
import { createCloseToTray } from './close-to-tray.ts';
import { appIconPath, resolveDesktopPaths, trayIconPath } from './desktop-paths.ts';
import { choosePort, createLaunchToken } from './engine-access.ts';
import { registerIpcHandlers } from './ipc-handlers.ts';
import { JobNotifier, routeForNotification, type NotificationPayload } from './job-notifications.ts';
import { fetchThumbnail } from './notification-icon.ts';
import {
  DEFAULT_PREFERENCES,
  desktopPreferences,
  MIN_WINDOW_SIZE,
  PREFERENCES_SCHEMA,
  restoreWindowBounds,
  type PreferenceStore,
  type ShellPreferences,
} from './preferences.ts';
import { TrayController } from './tray-controller.ts';
import type { QueueSnapshot } from './tray-menu.ts';
import { guardSession, guardWebContents, secureWebPreferences } from './window-security.ts';

export const APP_ID = 'app.stablequeue.desktop';

// One folder name in development and in every package ("StableQueue", not the npm name);
// set before anything reads userData (the single-instance lock lives there too).
app.setPath('userData', path.join(app.getPath('appData'), 'StableQueue'));

const paths = resolveDesktopPaths(
  {
    env: process.env,
    userData: app.getPath('userData'),
    pictures: app.getPath('pictures'),
    appPath: app.getAppPath(),
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
  },
  import.meta.dirname,
);

if (!app.requestSingleInstanceLock()) {
  // Another StableQueue runs: it shows its window (second-instance) and this one leaves.
  app.quit();
} else {
  void runShell();
}

async function runShell(): Promise<void> {
  const logger = createLogger({ destination: pino.destination({ dest: paths.logFile, mkdir: true, sync: false }) });
  const store = new Store<ShellPreferences>({
    name: 'preferences',
    defaults: DEFAULT_PREFERENCES,
    schema: PREFERENCES_SCHEMA as never,
    clearInvalidConfig: true,
  });
  const prefs: PreferenceStore = store;
  // Started by the login item / autostart entry, or asked to start minimized: tray only.
  const openedAtLogin = process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
  const launchedHidden = process.argv.includes(HIDDEN_ARG) || openedAtLogin || prefs.get('startMinimized');
  const token = createLaunchToken();
  let engine: Engine | null = null;
  let appOrigin = 'http://127.0.0.1:0';
  let window: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let trayController: TrayController | null = null;
  const closeToTray = createCloseToTray({ trayAvailable: () => tray !== null, platform: process.platform });
  const liveNotifications = new Set<Notification>();

  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  app.on('second-instance', () => showWindow());
  app.on('activate', () => { if (closeToTray.shouldShowOnActivate()) showWindow(); });
  app.on('before-quit', () => closeToTray.beginQuit());
  app.on('window-all-closed', () => { if (closeToTray.shouldQuitWhenAllWindowsClosed()) app.quit(); });
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, () => appOrigin, (url) => void shell.openExternal(url));
  });
  let engineStopped = false;
  app.on('will-quit', (event) => {
    if (engineStopped || !engine) return;
    event.preventDefault();
    const running = engine;
    engine = null;
    void running.stop()
      .catch((error: unknown) => logger.error({ err: error }, 'engine stop failed'))
      .finally(() => { engineStopped = true; logger.flush(); app.quit(); });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  await app.whenReady();
  if (process.platform !== 'darwin' && app.isPackaged) Menu.setApplicationMenu(null);

  // --- the engine, in-process, on 127.0.0.1 -------------------------------------------
  try {
    const secretStore = await createDesktopSecretStore({ dataDir: paths.dataDir, safeStorage, logger });
    const created: Engine = createEngine({
      dataDir: paths.dataDir,
      outputsDir: paths.outputsDir,
      checkpointPath: paths.checkpointPath,
      loraPath: paths.loraPath,
      host: '127.0.0.1',
      port: await choosePort(prefs.get('lastPort')),
      uiDir: paths.uiDir,
      logger,
      secretStore,
      launchToken: token,
      shutdownGraceMs: 5_000,
    });
    engine = created;
    const started = await created.start();
    appOrigin = new URL(started.url).origin;
    prefs.set('lastPort', started.port);
    logger.info({ dir: 'shell', url: appOrigin, dataDir: paths.dataDir }, 'engine started');
  } catch (error) {
    logger.error({ err: error }, 'engine failed to start');
    await engine?.stop().catch(() => undefined);
    engine = null;
    logger.flush();
    dialog.showErrorBox('StableQueue could not start', `${(error as Error).message}\n\nData folder: ${paths.dataDir}\nLog: ${paths.logFile}`);
    engineStopped = true;
    app.exit(1);
    return;
  }
  const runningEngine: Engine = engine;
  guardSession(session.defaultSession, () => appOrigin);

  // --- tray ---------------------------------------------------------------------------
  const snapshot = (): QueueSnapshot => ({ counts: runningEngine.queueCounts(), paused: runningEngine.isPaused() });
  const trayActions = {
    openWindow: () => showWindow(),
    togglePause: () => runningEngine.setPaused(!runningEngine.isPaused()),
    openOutputsFolder: () => void openOutputsFolder(),
    quit: () => app.quit(),
  };
  try {
    const icon = nativeImage.createFromPath(trayIconPath(paths.iconsDir, process.platform));
    if (process.platform === 'darwin') icon.setTemplateImage(true);
    if (icon.isEmpty()) logger.warn({ iconsDir: paths.iconsDir }, 'tray icon not found');
    tray = new Tray(icon);
    trayController = new TrayController(
      tray,
      (template) => Menu.buildFromTemplate(template as MenuItemConstructorOptions[]),
      trayActions,
    );
    if (process.platform === 'win32') tray.on('click', () => showWindow());
    trayController.update(snapshot());
  } catch (error) {
    logger.warn({ err: error }, 'no system tray: closing the window will quit');
  }

  // --- notifications + tray refresh from engine events -------------------------------
  const notifier = new JobNotifier({
    isEnabled: () => prefs.get('notificationsEnabled') && Notification.isSupported(),
    notify: (payload) => void showNotification(payload),
  });
  let refreshTimer: NodeJS.Timeout | null = null;
  const refresh = () => {
    refreshTimer = null;
    const current = snapshot();
    trayController?.update(current);
    notifier.handleQueueSnapshot(current);
  };
  runningEngine.onEvent((event: EngineEvent) => {
    notifier.handleEvent(event);
    if ((event.type.startsWith('job.') && event.type !== 'job.progress') || event.type === 'queue.state') {
      refreshTimer ??= setTimeout(refresh, 150);
    }
  });

  // --- IPC for the preload ------------------------------------------------------------
  const setPreference = async <K extends keyof DesktopPreferences>(key: K, value: DesktopPreferences[K]) => {
    prefs.set(key, value);
    return desktopPreferences(prefs);
  };
  const startAtLoginContext = {
    platform: process.platform,
    app,
    command: launchCommand({ execPath: process.execPath, isPackaged: app.isPackaged, appPath: app.getAppPath(), env: process.env }),
    linuxFile: linuxAutostartPath(process.env, os.homedir()),
    iconPath: appIconPath(paths.iconsDir),
  };
  registerIpcHandlers(ipcMain, () => appOrigin, {
    bootstrap: (): DesktopBootstrap => ({
      apiBase: appOrigin,
      token,
      platform: process.platform,
      version: app.getVersion(),
      preferences: desktopPreferences(prefs),
    }),
    openOutputsFolder,
    openExternal: (url) => shell.openExternal(url),
    setNotificationsEnabled: (enabled) => setPreference('notificationsEnabled', enabled),
    setStartAtLogin: async (enabled) => setPreference('startAtLogin', await applyStartAtLogin(enabled, startAtLoginContext)),
    setStartMinimized: (enabled) => setPreference('startMinimized', enabled),
  });
  // Re-apply at each start: an AppImage that moved gets its autostart entry updated.
  if (prefs.get('startAtLogin')) {
    applyStartAtLogin(true, startAtLoginContext).catch((error: unknown) => logger.warn({ err: error }, 'start at login failed'));
  }

  // --- the window ---------------------------------------------------------------------
  createWindow(!launchedHidden || tray === null);

  function createWindow(show: boolean): BrowserWindow {
    const bounds = restoreWindowBounds(prefs.get('windowBounds'), screen.getAllDisplays().map((display) => display.workArea));
    const win = new BrowserWindow({
      x: bounds.x,
      y: bounds.y,
      width: bounds.width,
      height: bounds.height,
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      title: 'StableQueue',
      icon: process.platform === 'darwin' ? undefined : appIconPath(paths.iconsDir),
      show: false,
      autoHideMenuBar: true,
      // The page's own background, so no white (or black) flash before it paints.
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#14161c' : '#f7f7fa',
      webPreferences: secureWebPreferences(paths.preloadPath, { devTools: !app.isPackaged }),
    });
    if (bounds.maximized) win.maximize();
    win.on('close', (event) => {
      prefs.set('windowBounds', { ...win.getNormalBounds(), maximized: win.isMaximized() });
      if (closeToTray.onWindowClose() === 'hide') {
        event.preventDefault();
        win.hide();
      }
    });
    win.on('closed', () => { if (window === win) window = null; });
    if (show) win.once('ready-to-show', () => win.show());
    void win.loadURL(`${appOrigin}/`);
    window = win;
    return win;
  }

  function showWindow(route?: string): void {
    if (!app.isReady() || !engine) return;
    const win = window && !window.isDestroyed() ? window : createWindow(true);
    if (route) void win.loadURL(`${appOrigin}/${route}`);
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  async function openOutputsFolder(): Promise<void> {
    const dir = runningEngine.config.outputsDir;
    await fs.mkdir(dir, { recursive: true });
    const error = await shell.openPath(dir);
    if (error) logger.warn({ dir, error }, 'could not open the outputs folder');
  }

  async function showNotification(payload: NotificationPayload): Promise<void> {
    const thumbnail = await fetchThumbnail(appOrigin, payload.imageId, token);
    const icon = thumbnail ? nativeImage.createFromBuffer(thumbnail) : nativeImage.createFromPath(appIconPath(paths.iconsDir));
    const notification = new Notification({
      title: payload.title,
      body: payload.body,
      icon: icon.isEmpty() ? undefined : icon,
    });
    liveNotifications.add(notification);
    const forget = () => liveNotifications.delete(notification);
    notification.on('click', () => { forget(); showWindow(routeForNotification(payload)); });
    notification.on('close', forget);
    notification.show();
  }
}
