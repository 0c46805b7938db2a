import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { enable } from '../../../../electron/main/modules/desktop-bridge.ts';
import { IPC_CHANNELS } from '../../../../electron/preload/desktop-bridge.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';
import { APP_ORIGIN, fakeElectronState, fakeEngine, fakeHost, fakeShellContext, memoryPreferences, type FakeElectronState } from '../fake-shell.ts';

describe('desktop bridge module (the main-process side of window.stablequeue)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let state: FakeElectronState;
  beforeEach(() => { tmp = makeTempDir('sq-bridge-'); state = fakeElectronState(tmp.dir); });
  afterEach(() => tmp.cleanup());

  function setup(seed: Record<string, unknown> = {}, systemSays?: (enabled: boolean) => boolean) {
    const prefs = memoryPreferences(seed);
    const { context } = fakeShellContext(state, { prefs });
    const applyStartAtLogin = vi.fn(async (enabled: boolean) => (systemSays ? systemSays(enabled) : enabled));
    enable({ ...context, host: fakeHost(fakeEngine(`${tmp.dir}/outputs`)), execPath: '/opt/StableQueue/stablequeue', homeDir: tmp.dir, applyStartAtLogin });
    return { prefs, applyStartAtLogin };
  }
  const fromApp = { senderFrame: { url: `${APP_ORIGIN}/settings` } };
  const invoke = (channel: string, ...args: unknown[]) => state.ipcHandle.get(channel)!(fromApp, ...args);

  it('hands the window its engine origin and launch token, and nobody else anything', () => {
    setup({ startMinimized: true });
    const event = { ...fromApp, returnValue: undefined as unknown };
    state.ipcOn.get(IPC_CHANNELS.bootstrap)!(event);
    expect(event.returnValue).toEqual({
      apiBase: APP_ORIGIN, token: 'launch-token', platform: 'linux', version: '0.1.0-test',
      preferences: { startAtLogin: false, startMinimized: true },
    });
    const stranger = { senderFrame: { url: 'http://127.0.0.1:9/' }, returnValue: undefined as unknown };
    state.ipcOn.get(IPC_CHANNELS.bootstrap)!(stranger);
    expect(stranger.returnValue).toBeNull();
    expect([...state.ipcHandle.keys()].sort()).toEqual([IPC_CHANNELS.openOutputsFolder, IPC_CHANNELS.setStartAtLogin, IPC_CHANNELS.setStartMinimized].sort());
  });

  it('opens the outputs folder', async () => {
    setup();
    await invoke(IPC_CHANNELS.openOutputsFolder);
    expect(state.openedPaths).toEqual([`${tmp.dir}/outputs`]);
  });

  it('start minimized is saved; start at login keeps what the system says', async () => {
    const { prefs, applyStartAtLogin } = setup({}, () => false);
    expect(await invoke(IPC_CHANNELS.setStartMinimized, true)).toEqual({ startAtLogin: false, startMinimized: true });
    expect(prefs.get('startMinimized')).toBe(true);
    expect(await invoke(IPC_CHANNELS.setStartAtLogin, true)).toEqual({ startAtLogin: false, startMinimized: true });
    expect(applyStartAtLogin).toHaveBeenCalledWith(true, expect.objectContaining({
      platform: 'linux',
      command: { exec: '/opt/StableQueue/stablequeue', args: [`${tmp.dir}/app`, '--hidden'] },
      linuxFile: `${tmp.dir}/.config/autostart/stablequeue.desktop`,
    }));
    expect(prefs.get('startAtLogin')).toBe(false);
  });

  it('start at login on: written again at each start (an AppImage may have moved)', () => {
    const { applyStartAtLogin } = setup({ startAtLogin: true });
    expect(applyStartAtLogin).toHaveBeenCalledWith(true, expect.anything());
    const off = setup({ startAtLogin: false });
    expect(off.applyStartAtLogin).not.toHaveBeenCalled();
  });
});
