/**
 * The StableQueue window: created on the engine's origin, isolated and sandboxed, kept on
 * that origin (https links go to the browser), its size and place remembered. Closing it
 * hides it to the tray until a real quit; a second launch, the dock icon, the tray or a
 * notification brings it back.
 */
import { HIDDEN_ARG } from '../autostart.ts';
import { createCloseToTray } from '../close-to-tray.ts';
import { appIconPath } from '../desktop-paths.ts';
import { MIN_WINDOW_SIZE, restoreWindowBounds } from '../preferences.ts';
import type { ShellContext } from '../shell-context.ts';
import { guardSession, guardWebContents, secureWebPreferences } from '../window-security.ts';
import type { EngineHost } from './engine-host.ts';

type BrowserWindow = InstanceType<ShellContext['electron']['BrowserWindow']>;

export interface MainWindowContext extends ShellContext {
  readonly host: EngineHost;
  /** Asked at each close: without a tray, closing the window quits (except on macOS). */
  trayAvailable(): boolean;
}

export interface MainWindow {
  /** Shows the window (making it again if it was closed), optionally at a route such as `queue?job=…`. */
  show(route?: string): void;
  /** The first window of this launch; hidden when started at login or asked to start minimized. */
  open(visible: boolean): void;
}

export function enable(context: MainWindowContext): MainWindow {
  const { electron: { app, BrowserWindow, Menu, nativeTheme, screen, session, shell }, platform, paths, prefs, host } = context;
  const closeToTray = createCloseToTray({ trayAvailable: context.trayAvailable, platform });
  let window: BrowserWindow | null = null;

  if (platform !== 'darwin' && app.isPackaged) Menu.setApplicationMenu(null);
  guardSession(session.defaultSession, () => host.origin);
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, () => host.origin, (url) => void shell.openExternal(url));
  });
  app.on('second-instance', () => show());
  app.on('activate', () => { if (closeToTray.shouldShowOnActivate()) show(); });
  app.on('before-quit', () => closeToTray.beginQuit());
  app.on('window-all-closed', () => { if (closeToTray.shouldQuitWhenAllWindowsClosed()) app.quit(); });

  function create(visible: boolean): BrowserWindow {
    const bounds = restoreWindowBounds(prefs.get('windowBounds'), screen.getAllDisplays().map((display) => display.workArea));
    const win = new BrowserWindow({
      x: bounds.x,
      y: bounds.y,
      width: bounds.width,
      height: bounds.height,
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      title: 'StableQueue',
      icon: platform === 'darwin' ? undefined : appIconPath(paths.iconsDir),
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
    if (visible) win.once('ready-to-show', () => win.show());
    void win.loadURL(`${host.origin}/`);
    window = win;
    return win;
  }

  function show(route?: string): void {
    if (!app.isReady()) return;
    const win = window && !window.isDestroyed() ? window : create(true);
    if (route) void win.loadURL(`${host.origin}/${route}`);
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  return { show, open: (visible) => void create(visible) };
}

/** Started by the login item / autostart entry, or asked to start minimized: the tray only. */
export function startsInTray(launch: { argv: readonly string[]; platform: NodeJS.Platform; wasOpenedAtLogin: boolean; startMinimized: boolean }): boolean {
  return launch.argv.includes(HIDDEN_ARG) || (launch.platform === 'darwin' && launch.wasOpenedAtLogin) || launch.startMinimized;
}
