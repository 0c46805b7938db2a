/**
 * What every shell module is enabled with. The Electron API comes in as a value (the
 * real module in index.ts, fakes in tests), so no module imports 'electron' itself and
 * none does anything when imported: all the work happens in its `enable(context)`.
 */
import type * as Electron from 'electron';
import type { Logger } from 'pino';
import type { DesktopPaths } from './desktop-paths.ts';
import type { PreferenceStore } from './preferences.ts';

/** The parts of the `electron` module the shell uses. */
export type ShellElectron = Pick<
  typeof Electron,
  | 'app'
  | 'BrowserWindow'
  | 'dialog'
  | 'ipcMain'
  | 'Menu'
  | 'nativeImage'
  | 'nativeTheme'
  | 'Notification'
  | 'screen'
  | 'session'
  | 'shell'
  | 'Tray'
>;

export interface ShellContext {
  readonly electron: ShellElectron;
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  readonly paths: DesktopPaths;
  readonly prefs: PreferenceStore;
  readonly logger: Logger;
}
