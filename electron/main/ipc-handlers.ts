/**
 * The main-process side of the preload's bridge. Every handler first checks that the
 * message comes from a frame on the app origin (event.senderFrame.url), then checks its
 * arguments; nothing else is listened to.
 */
import { IPC_CHANNELS, type DesktopBootstrap, type DesktopPreferences } from '../preload/desktop-bridge.ts';
import { isAllowedExternalUrl, isTrustedSender } from './url-policy.ts';

/** The slice of an IPC event the checks need (Electron's IpcMainEvent / IpcMainInvokeEvent). */
export interface IpcEventLike {
  senderFrame: { url: string } | null;
  returnValue?: unknown;
}

/** The slice of ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): void;
}

export interface ShellActions {
  bootstrap(): DesktopBootstrap;
  openOutputsFolder(): Promise<void>;
  openExternal(url: string): Promise<void>;
  setNotificationsEnabled(enabled: boolean): Promise<DesktopPreferences>;
  setStartAtLogin(enabled: boolean): Promise<DesktopPreferences>;
  setStartMinimized(enabled: boolean): Promise<DesktopPreferences>;
}

export class UntrustedSenderError extends Error {
  constructor(channel: string) {
    super(`Refused ${channel}: the sender is not the StableQueue window.`);
    this.name = 'UntrustedSenderError';
  }
}

function requireBoolean(value: unknown, channel: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${channel} expects a boolean.`);
  return value;
}

/** Registers the handlers; `appOrigin` is read at each call (the engine's port is known after start). */
export function registerIpcHandlers(ipcMain: IpcMainLike, appOrigin: () => string, actions: ShellActions): void {
  const trusted = (event: IpcEventLike) => isTrustedSender(event.senderFrame?.url, appOrigin());
  const handle = (channel: string, run: (...args: unknown[]) => unknown) => {
    ipcMain.handle(channel, (event, ...args) => {
      if (!trusted(event)) throw new UntrustedSenderError(channel);
      return run(...args);
    });
  };

  ipcMain.on(IPC_CHANNELS.bootstrap, (event) => {
    event.returnValue = trusted(event) ? actions.bootstrap() : null;
  });
  handle(IPC_CHANNELS.openOutputsFolder, () => actions.openOutputsFolder());
  handle(IPC_CHANNELS.openExternal, async (url) => {
    if (typeof url !== 'string' || !isAllowedExternalUrl(url)) return false;
    await actions.openExternal(url);
    return true;
  });
  handle(IPC_CHANNELS.setNotificationsEnabled, (enabled) =>
    actions.setNotificationsEnabled(requireBoolean(enabled, IPC_CHANNELS.setNotificationsEnabled)));
  handle(IPC_CHANNELS.setStartAtLogin, (enabled) =>
    actions.setStartAtLogin(requireBoolean(enabled, IPC_CHANNELS.setStartAtLogin)));
  handle(IPC_CHANNELS.setStartMinimized, (enabled) =>
    actions.setStartMinimized(requireBoolean(enabled, IPC_CHANNELS.setStartMinimized)));
}
