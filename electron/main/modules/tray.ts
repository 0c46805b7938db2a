/**
 * The tray icon: pending and running counts in its tooltip, and a menu to open the window,
 * pause or resume the queue, open the outputs folder and quit. Some Linux desktops have no
 * tray: then there is none, and closing the window quits.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { trayIconPath } from '../desktop-paths.ts';
import { openOutputsFolder } from '../outputs-folder.ts';
import { queueSnapshot, watchQueue } from '../queue-watch.ts';
import type { ShellContext } from '../shell-context.ts';
import { TrayController } from '../tray-controller.ts';
import type { EngineHost } from './engine-host.ts';
import type { MainWindow } from './main-window.ts';

export interface TrayContext extends ShellContext {
  readonly host: EngineHost;
  readonly window: Pick<MainWindow, 'show'>;
}

/** True when the tray is there. */
export function enable(context: TrayContext): boolean {
  const { electron: { app, Menu, nativeImage, shell, Tray }, platform, paths, logger, host: { engine }, window } = context;
  try {
    const icon = nativeImage.createFromPath(trayIconPath(paths.iconsDir, platform));
    if (platform === 'darwin') icon.setTemplateImage(true);
    if (icon.isEmpty()) logger.warn({ iconsDir: paths.iconsDir }, 'tray icon not found');
    const tray = new Tray(icon);
    const controller = new TrayController(
      tray,
      (template) => Menu.buildFromTemplate(template as MenuItemConstructorOptions[]),
      {
        openWindow: () => window.show(),
        togglePause: () => engine.setPaused(!engine.isPaused()),
        openOutputsFolder: () => void openOutputsFolder(engine.config.outputsDir, shell, logger),
        quit: () => app.quit(),
      },
    );
    if (platform === 'win32') tray.on('click', () => window.show());
    controller.update(queueSnapshot(engine));
    watchQueue(engine, (snapshot) => controller.update(snapshot));
    return true;
  } catch (error) {
    logger.warn({ err: error }, 'no system tray: closing the window will quit');
    return false;
  }
}
