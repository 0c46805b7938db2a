/**
 * The Electron main process: the desktop shell as a list of small modules, enabled in
 * order, each given what it needs. The only file that imports 'electron' for its values
 * and the only one that does something when loaded.
 */
import os from 'node:os';
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
} from 'electron';
import Store from 'electron-store';
import { createEngine } from '../engine/index.ts';
import { createLogger } from '../engine/logger.ts';
import { RecentLogs } from '../engine/ops/recent-logs.ts';
import { createLogFileStream } from './log-file.ts';
import { createDesktopSecretStore } from './secret-store-chain.ts';
import { resolveDesktopPaths } from './desktop-paths.ts';
import * as appInstance from './modules/app-instance.ts';
import * as desktopBridge from './modules/desktop-bridge.ts';
import * as engineHost from './modules/engine-host.ts';
import * as mainWindow from './modules/main-window.ts';
import * as notifications from './modules/notifications.ts';
import * as tray from './modules/tray.ts';
import { DEFAULT_PREFERENCES, PREFERENCES_SCHEMA, type ShellPreferences } from './preferences.ts';
import type { ShellContext, ShellElectron } from './shell-context.ts';

export { APP_ID } from './modules/app-instance.ts';

const electron: ShellElectron = { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, nativeTheme, Notification, screen, session, shell, Tray };

async function main(): Promise<void> {
  if (!appInstance.enable({ app, platform: process.platform })) return;
  const paths = resolveDesktopPaths({
    env: process.env,
    userData: app.getPath('userData'),
    pictures: app.getPath('pictures'),
    appPath: app.getAppPath(),
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
  }, import.meta.dirname);
  const store = new Store<ShellPreferences>({ name: 'preferences', defaults: DEFAULT_PREFERENCES, schema: PREFERENCES_SCHEMA as never, clearInvalidConfig: true });
  // The newest lines also stay in memory for Settings → Download diagnostics.
  const recentLogs = new RecentLogs();
  const logger = createLogger({ destination: createLogFileStream(paths.logFile), recent: recentLogs });
  const shell: ShellContext = { electron, platform: process.platform, env: process.env, paths, prefs: store, logger };

  const host = await engineHost.enable({
    ...shell,
    createEngine: (config) => createEngine({ ...config, recentLogs }),
    createSecretStore: () => createDesktopSecretStore({ dataDir: paths.dataDir, safeStorage, logger }),
    signals: process,
  });
  if (!host) return;
  let hasTray = false;
  const window = mainWindow.enable({ ...shell, host, trayAvailable: () => hasTray });
  hasTray = tray.enable({ ...shell, host, window });
  notifications.enable({ ...shell, host, window, legacyPreferences: store as unknown as notifications.LegacyPreferences });
  desktopBridge.enable({ ...shell, host, execPath: process.execPath, homeDir: os.homedir() });
  const inTray = mainWindow.startsInTray({
    argv: process.argv,
    platform: process.platform,
    wasOpenedAtLogin: process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true,
    startMinimized: store.get('startMinimized'),
  });
  window.open(!inTray || !hasTray);
}

main().catch((error: unknown) => {
  // Only a bug gets here (the engine host reports its own failures): say it and leave.
  console.error('StableQueue: the desktop shell failed to start', error);
  app.exit(1);
});
