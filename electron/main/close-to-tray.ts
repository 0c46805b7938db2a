/**
 * Closing the window hides it to the tray; only a real quit (tray menu, Cmd+Q, the OS
 * logging out) closes it. A tiny state machine over the app's lifecycle events, with no
 * Electron in it.
 */

export type CloseDecision = 'hide' | 'close';

export interface CloseToTray {
  /** app 'before-quit': from now on windows may really close. */
  beginQuit(): void;
  /** The user cancelled a quit (rare: another handler prevented it). */
  cancelQuit(): void;
  readonly quitting: boolean;
  /** BrowserWindow 'close': 'hide' means preventDefault() + hide(). */
  onWindowClose(): CloseDecision;
  /** app 'window-all-closed': a tray app keeps running unless it is quitting. */
  shouldQuitWhenAllWindowsClosed(): boolean;
  /** app 'activate' (macOS dock click) or a second launch: the window should be shown. */
  shouldShowOnActivate(): boolean;
}

/** `trayAvailable` is asked at each decision: the tray is created after the lifecycle events are wired. */
export function createCloseToTray(options: { trayAvailable: () => boolean; platform: NodeJS.Platform }): CloseToTray {
  let quitting = false;
  // Without a tray (some Linux desktops have none) hiding would lose the window: on
  // Linux/Windows closing then quits; macOS keeps the dock icon, so hiding stays right.
  const canHide = () => options.trayAvailable() || options.platform === 'darwin';
  return {
    beginQuit() { quitting = true; },
    cancelQuit() { quitting = false; },
    get quitting() { return quitting; },
    onWindowClose() {
      return quitting || !canHide() ? 'close' : 'hide';
    },
    shouldQuitWhenAllWindowsClosed() {
      return quitting || !canHide();
    },
    shouldShowOnActivate() {
      return !quitting;
    },
  };
}
