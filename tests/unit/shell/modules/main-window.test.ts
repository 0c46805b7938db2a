import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { enable, startsInTray } from '../../../../electron/main/modules/main-window.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';
import { APP_ORIGIN, fakeElectronState, fakeHost, fakeShellContext, type FakeElectronState } from '../fake-shell.ts';

describe('main window module', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let state: FakeElectronState;
  beforeEach(() => { tmp = makeTempDir('sq-window-'); state = fakeElectronState(tmp.dir); });
  afterEach(() => tmp.cleanup());

  function setup(options: { tray?: boolean; platform?: NodeJS.Platform } = {}) {
    const { context, electron, prefs } = fakeShellContext(state, { platform: options.platform });
    const window = enable({ ...context, host: fakeHost(), trayAvailable: () => options.tray ?? true });
    return { window, electron, prefs, context };
  }

  it('loads the engine origin in an isolated, sandboxed window with the preload', () => {
    const { window, context } = setup();
    window.open(true);
    const win = state.windows[0]!;
    expect(win.loaded).toEqual([`${APP_ORIGIN}/`]);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: context.paths.preloadPath });
    // The navigation guard is on the window's contents: https links go to the browser, nothing opens a window.
    const openHandler = win.webContents.setWindowOpenHandler.mock.calls[0]![0] as (details: { url: string }) => { action: string };
    expect(openHandler({ url: 'https://civitai.com/models/1' })).toEqual({ action: 'deny' });
    expect(openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(state.openedExternal).toEqual(['https://civitai.com/models/1']);
    expect(win.visible).toBe(false);
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);
  });

  it('started in the tray: the window is made but not shown', () => {
    const { window } = setup();
    window.open(false);
    state.windows[0]!.emit('ready-to-show');
    expect(state.windows[0]!.visible).toBe(false);
  });

  it('closing hides it to the tray until quitting; a second launch shows it again', () => {
    const { window, electron, prefs } = setup();
    window.open(true);
    const win = state.windows[0]!;
    win.emit('ready-to-show');

    const close = { preventDefault: vi.fn() };
    win.emit('close', close);
    expect(close.preventDefault).toHaveBeenCalled();
    expect(win.visible).toBe(false);
    expect(prefs.get('windowBounds')).toEqual({ x: 10, y: 20, width: 900, height: 700, maximized: false });

    electron.app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(state.windows).toHaveLength(1);

    electron.app.emit('window-all-closed');
    expect(state.quit).toBe(0);
    electron.app.emit('before-quit');
    const closing = { preventDefault: vi.fn() };
    win.emit('close', closing);
    expect(closing.preventDefault).not.toHaveBeenCalled();
  });

  it('without a tray (Linux), closing the window quits', () => {
    const { window, electron } = setup({ tray: false, platform: 'linux' });
    window.open(true);
    const close = { preventDefault: vi.fn() };
    state.windows[0]!.emit('close', close);
    expect(close.preventDefault).not.toHaveBeenCalled();
    electron.app.emit('window-all-closed');
    expect(state.quit).toBe(1);
  });

  it('show(route) opens that route, and makes the window again after it was closed', () => {
    const { window } = setup();
    window.open(false);
    window.show('queue?job=j1');
    expect(state.windows[0]!.loaded.at(-1)).toBe(`${APP_ORIGIN}/queue?job=j1`);
    expect(state.windows[0]!.visible).toBe(true);
    state.windows[0]!.emit('closed');
    window.show();
    expect(state.windows).toHaveLength(2);
    expect(state.windows[1]!.loaded).toEqual([`${APP_ORIGIN}/`]);
  });

  it('starts in the tray when launched by the login item or asked to start minimized', () => {
    const base = { argv: ['/app/StableQueue'], platform: 'linux' as const, wasOpenedAtLogin: false, startMinimized: false };
    expect(startsInTray(base)).toBe(false);
    expect(startsInTray({ ...base, argv: [...base.argv, '--hidden'] })).toBe(true);
    expect(startsInTray({ ...base, startMinimized: true })).toBe(true);
    expect(startsInTray({ ...base, platform: 'darwin', wasOpenedAtLogin: true })).toBe(true);
    expect(startsInTray({ ...base, wasOpenedAtLogin: true })).toBe(false);
  });
});
