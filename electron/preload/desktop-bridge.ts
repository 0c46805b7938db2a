/**
 * The contract between the Electron shell and the renderer: what the preload exposes on
 * `window.stablequeue`, and the IPC channels behind it. Types and constants only, so the
 * main process, the preload and the renderer can all import it.
 */

/** The name of the object the preload puts on `window`. */
export const BRIDGE_GLOBAL = 'stablequeue';

export interface DesktopPreferences {
  notificationsEnabled: boolean;
  startAtLogin: boolean;
  startMinimized: boolean;
}

/** What the window needs to talk to the embedded engine. */
export interface DesktopBootstrap {
  /** Origin of the embedded engine, e.g. http://127.0.0.1:51234 (no trailing slash). */
  apiBase: string;
  /** Per-launch token: X-StableQueue-Launch-Token header / ?launch_token= on asset URLs. */
  token: string;
  /** process.platform of the main process: 'darwin', 'win32', 'linux'… (a plain string, so the renderer needs no Node types). */
  platform: string;
  /** The app version (package.json). */
  version: string;
  preferences: DesktopPreferences;
}

/** Everything on `window.stablequeue` in the desktop app. Nothing generic on purpose. */
export interface DesktopBridge {
  readonly bootstrap: DesktopBootstrap;
  openOutputsFolder(): Promise<void>;
  /** Opens an https:// link in the user's browser; anything else is refused. */
  openExternal(url: string): Promise<boolean>;
  setNotificationsEnabled(enabled: boolean): Promise<DesktopPreferences>;
  setStartAtLogin(enabled: boolean): Promise<DesktopPreferences>;
  setStartMinimized(enabled: boolean): Promise<DesktopPreferences>;
}

/** The keys the preload exposes, in order; a test holds the preload to exactly these. */
export const BRIDGE_KEYS = [
  'bootstrap',
  'openOutputsFolder',
  'openExternal',
  'setNotificationsEnabled',
  'setStartAtLogin',
  'setStartMinimized',
] as const satisfies readonly (keyof DesktopBridge)[];

export const IPC_CHANNELS = {
  /** sendSync once from the preload: answers a DesktopBootstrap, or null for an untrusted sender. */
  bootstrap: 'stablequeue:bootstrap',
  openOutputsFolder: 'stablequeue:open-outputs-folder',
  openExternal: 'stablequeue:open-external',
  setNotificationsEnabled: 'stablequeue:set-notifications-enabled',
  setStartAtLogin: 'stablequeue:set-start-at-login',
  setStartMinimized: 'stablequeue:set-start-minimized',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];
