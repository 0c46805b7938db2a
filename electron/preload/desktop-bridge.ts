/**
 * The contract between the Electron shell and the renderer: what the preload exposes on
 * `window.stablequeue`, and the IPC channels behind it. Types and constants only, so the
 * main process, the preload and the renderer can all import it. The preload builds the
 * bridge with `satisfies DesktopBridge` and the renderer types `window.stablequeue` as
 * DesktopBridge, and its Desktop settings panel has one entry per action: a method missing
 * from the preload, one it adds, or one no UI offers is a type error.
 *
 * Settings that are not about the shell itself (notifications among them) are engine
 * settings, saved over the API like every other; they are not here.
 */

/** The name of the object the preload puts on `window`. */
export const BRIDGE_GLOBAL = 'stablequeue';

export interface DesktopPreferences {
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
  setStartAtLogin(enabled: boolean): Promise<DesktopPreferences>;
  setStartMinimized(enabled: boolean): Promise<DesktopPreferences>;
}

/** The keys the preload exposes, in order; a test holds the preload to exactly these. */
export const BRIDGE_KEYS = [
  'bootstrap',
  'openOutputsFolder',
  'setStartAtLogin',
  'setStartMinimized',
] as const satisfies readonly (keyof DesktopBridge)[];

export const IPC_CHANNELS = {
  /** sendSync once from the preload: answers a DesktopBootstrap, or null for an untrusted sender. */
  bootstrap: 'stablequeue:bootstrap',
  openOutputsFolder: 'stablequeue:open-outputs-folder',
  setStartAtLogin: 'stablequeue:set-start-at-login',
  setStartMinimized: 'stablequeue:set-start-minimized',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** The bridge's actions (everything but the bootstrap data). */
export type DesktopAction = Exclude<keyof DesktopBridge, 'bootstrap'>;
