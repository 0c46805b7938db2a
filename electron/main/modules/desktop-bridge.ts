/**
 * The main-process side of `window.stablequeue`: the bootstrap the window needs to reach
 * the engine, and the shell's own actions (open the outputs folder, start at login, start
 * minimized). The start-at-login entry is written again at each start, so an AppImage
 * that moved gets its autostart entry updated.
 */
import os from 'node:os';
import type { DesktopBootstrap, DesktopPreferences } from '../../preload/desktop-bridge.ts';
import { applyStartAtLogin, launchCommand, linuxAutostartPath, type StartAtLoginContext } from '../autostart.ts';
import { appIconPath } from '../desktop-paths.ts';
import { registerIpcHandlers, type IpcMainLike } from '../ipc-handlers.ts';
import { openOutputsFolder } from '../outputs-folder.ts';
import { desktopPreferences } from '../preferences.ts';
import type { ShellContext } from '../shell-context.ts';
import type { EngineHost } from './engine-host.ts';

export interface DesktopBridgeContext extends ShellContext {
  readonly host: EngineHost;
  /** process.execPath: the launch command of the login item. */
  readonly execPath: string;
  readonly homeDir?: string;
  /** Writes the login item; the real one by default. */
  readonly applyStartAtLogin?: typeof applyStartAtLogin;
}

export function enable(context: DesktopBridgeContext): void {
  const { electron: { app, ipcMain, shell }, platform, env, paths, prefs, logger, host } = context;
  const apply = context.applyStartAtLogin ?? applyStartAtLogin;
  const startAtLogin: StartAtLoginContext = {
    platform,
    app,
    command: launchCommand({ execPath: context.execPath, isPackaged: app.isPackaged, appPath: app.getAppPath(), env }),
    linuxFile: linuxAutostartPath(env, context.homeDir ?? os.homedir()),
    iconPath: appIconPath(paths.iconsDir),
  };
  const setPreference = <K extends keyof DesktopPreferences>(key: K, value: DesktopPreferences[K]): DesktopPreferences => {
    prefs.set(key, value);
    return desktopPreferences(prefs);
  };

  registerIpcHandlers(ipcMain as unknown as IpcMainLike, () => host.origin, {
    bootstrap: (): DesktopBootstrap => ({
      apiBase: host.origin,
      token: host.token,
      platform,
      version: app.getVersion(),
      preferences: desktopPreferences(prefs),
    }),
    openOutputsFolder: () => openOutputsFolder(host.engine.config.outputsDir, shell, logger),
    setStartAtLogin: async (enabled) => setPreference('startAtLogin', await apply(enabled, startAtLogin)),
    setStartMinimized: async (enabled) => setPreference('startMinimized', enabled),
  });

  if (prefs.get('startAtLogin')) {
    apply(true, startAtLogin).catch((error: unknown) => logger.warn({ err: error }, 'start at login failed'));
  }
}
