/**
 * The preload of the StableQueue window. It runs sandboxed (contextIsolation on, no Node),
 * where `require` only knows 'electron', 'events', 'timers' and 'url': so this is one
 * self-contained CommonJS file that requires nothing but 'electron'.
 *
 * It exposes `window.stablequeue`: the bootstrap info (engine URL + per-launch token)
 * and a handful of shell actions. Nothing generic: no raw ipcRenderer, no invoke(channel).
 */
import type { DesktopBootstrap, DesktopBridge, DesktopPreferences, IpcChannel } from './desktop-bridge.ts';

const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');

// The channel names are repeated here (a sandboxed preload cannot load a sibling file);
// the IpcChannel type keeps them in step with desktop-bridge.ts.
const invoke = <T,>(channel: IpcChannel, ...args: unknown[]): Promise<T> =>
  ipcRenderer.invoke(channel, ...args) as Promise<T>;

// One synchronous round trip at load time, so the renderer can read the bootstrap info
// synchronously before it creates its API client. The main process answers null when
// this frame is not the app's own origin.
const bootstrap = ipcRenderer.sendSync('stablequeue:bootstrap' satisfies IpcChannel) as DesktopBootstrap | null;

if (bootstrap) {
  // `satisfies`: a method the contract lacks, or one missing here, is a type error.
  const bridge = {
    bootstrap: Object.freeze({ ...bootstrap, preferences: Object.freeze({ ...bootstrap.preferences }) }),
    openOutputsFolder: () => invoke<void>('stablequeue:open-outputs-folder'),
    setStartAtLogin: (enabled: boolean) => invoke<DesktopPreferences>('stablequeue:set-start-at-login', enabled === true),
    setStartMinimized: (enabled: boolean) =>
      invoke<DesktopPreferences>('stablequeue:set-start-minimized', enabled === true),
  } satisfies DesktopBridge;
  contextBridge.exposeInMainWorld('stablequeue', Object.freeze(bridge));
}
