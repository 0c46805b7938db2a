/**
 * The main-process side of the preload's bridge. Every handler first checks that the
 * message comes from a frame on the app origin (event.senderFrame.url), then checks its
 * arguments; nothing else is listened to.
 */
import { IPC_CHANNELS, type DesktopAction, type DesktopBootstrap, type DesktopBridge } from '../preload/desktop-bridge.ts';
import { isTrustedSender } from './url-policy.ts';

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

/** What answers each bridge call: the bridge's own actions, and the bootstrap data behind sendSync. */
export type ShellActions = Pick<DesktopBridge, DesktopAction> & { bootstrap(): DesktopBootstrap };

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
  handle(IPC_CHANNELS.setStartAtLogin, (enabled) =>
    actions.setStartAtLogin(requireBoolean(enabled, IPC_CHANNELS.setStartAtLogin)));
  handle(IPC_CHANNELS.setStartMinimized, (enabled) =>
    actions.setStartMinimized(requireBoolean(enabled, IPC_CHANNELS.setStartMinimized)));
}
