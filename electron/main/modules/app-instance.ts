/**
 * The app's identity, before anything else runs: one folder name for its data in
 * development and in every package ("StableQueue", not the npm name), the Windows app id
 * notifications are grouped under, and one running instance (a second launch shows the
 * first one's window and leaves).
 */
import path from 'node:path';
import type { ShellElectron } from '../shell-context.ts';

export const APP_ID = 'app.stablequeue.desktop';
export const APP_FOLDER_NAME = 'StableQueue';

export interface AppInstanceContext {
  readonly app: Pick<ShellElectron['app'], 'setPath' | 'getPath' | 'requestSingleInstanceLock' | 'quit' | 'setAppUserModelId'>;
  readonly platform: NodeJS.Platform;
}

/** False when another StableQueue runs: this one quits and nothing else may start. */
export function enable({ app, platform }: AppInstanceContext): boolean {
  // Before anything reads userData: the single-instance lock lives there too.
  app.setPath('userData', path.join(app.getPath('appData'), APP_FOLDER_NAME));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  if (platform === 'win32') app.setAppUserModelId(APP_ID);
  return true;
}
