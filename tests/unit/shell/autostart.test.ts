import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  applyStartAtLogin,
  desktopEntryExec,
  HIDDEN_ARG,
  isLinuxAutostartEnabled,
  launchCommand,
  linuxAutostartPath,
  linuxDesktopEntry,
  quoteExecArg,
  setLinuxAutostart,
} from '../../../electron/main/autostart.ts';

describe('launch command', () => {
  const base = { execPath: '/opt/StableQueue/stablequeue', isPackaged: true, appPath: '/opt/StableQueue/resources/app.asar' };
  it('packaged: the executable with --hidden', () => {
    expect(launchCommand({ ...base, env: {} })).toEqual({ exec: '/opt/StableQueue/stablequeue', args: [HIDDEN_ARG] });
  });
  it('AppImage: $APPIMAGE, not the temporary mount', () => {
    expect(launchCommand({ ...base, execPath: '/tmp/.mount_Stable/stablequeue', env: { APPIMAGE: '/home/ann/Apps/StableQueue.AppImage' } }))
      .toEqual({ exec: '/home/ann/Apps/StableQueue.AppImage', args: [HIDDEN_ARG] });
  });
  it('development: electron plus the app folder', () => {
    expect(launchCommand({ execPath: '/repo/node_modules/electron/dist/electron', isPackaged: false, appPath: '/repo', env: {} }))
      .toEqual({ exec: '/repo/node_modules/electron/dist/electron', args: ['/repo', HIDDEN_ARG] });
  });
});

describe('Linux autostart .desktop file', () => {
  it('lives in $XDG_CONFIG_HOME/autostart or ~/.config/autostart', () => {
    expect(linuxAutostartPath({}, '/home/ann')).toBe('/home/ann/.config/autostart/stablequeue.desktop');
    expect(linuxAutostartPath({ XDG_CONFIG_HOME: '/data/cfg' }, '/home/ann')).toBe('/data/cfg/autostart/stablequeue.desktop');
    // The spec ignores relative values.
    expect(linuxAutostartPath({ XDG_CONFIG_HOME: 'cfg' }, '/home/ann')).toBe('/home/ann/.config/autostart/stablequeue.desktop');
  });

  it('has the Desktop Entry keys', () => {
    const text = linuxDesktopEntry({ exec: '/opt/StableQueue/stablequeue', args: [HIDDEN_ARG] }, '/opt/StableQueue/resources/icons/icon-256.png');
    expect(text).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Version=1.0',
        'Name=StableQueue',
        'Comment=Stable Diffusion job queue (starts in the tray)',
        'Exec=/opt/StableQueue/stablequeue --hidden',
        'Icon=/opt/StableQueue/resources/icons/icon-256.png',
        'Terminal=false',
        'Categories=Graphics;',
        'StartupNotify=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
  });

  it('quotes Exec arguments as the spec asks', () => {
    expect(quoteExecArg('/usr/bin/app')).toBe('/usr/bin/app');
    expect(quoteExecArg('/home/ann/My Apps/Stable Queue.AppImage')).toBe('"/home/ann/My Apps/Stable Queue.AppImage"');
    // $ and " take a backslash inside quotes, and the string escaping then doubles each backslash.
    expect(quoteExecArg('/a/$HOME/"x"')).toBe('"/a/\\\\$HOME/\\\\"x\\\\""');
    expect(quoteExecArg('C:\\x y')).toBe('"C:\\\\\\\\x y"');
    expect(quoteExecArg('100%')).toBe('100%%');
    expect(() => quoteExecArg('a\nb')).toThrow(/control characters/);
    expect(desktopEntryExec({ exec: '/opt/My App/run', args: ['/repo', '--hidden'] })).toBe('"/opt/My App/run" /repo --hidden');
  });

  describe('writing and removal (temp HOME)', () => {
    let home: string;
    beforeEach(async () => { home = await fs.mkdtemp(path.join(os.tmpdir(), 'sq-autostart-')); });
    afterEach(async () => { await fs.rm(home, { recursive: true, force: true }); });

    it('writes the file (creating ~/.config/autostart), reads it back, removes it', async () => {
      const file = linuxAutostartPath({}, home);
      const command = { exec: '/opt/StableQueue/stablequeue', args: [HIDDEN_ARG] };
      expect(await isLinuxAutostartEnabled(file)).toBe(false);
      await setLinuxAutostart(true, file, command, null);
      const text = await fs.readFile(file, 'utf8');
      expect(text).toContain('Exec=/opt/StableQueue/stablequeue --hidden\n');
      expect(text).not.toContain('Icon=');
      expect((await fs.stat(file)).mode & 0o777).toBe(0o644);
      expect(await isLinuxAutostartEnabled(file)).toBe(true);
      expect(await fs.readdir(path.dirname(file))).toEqual(['stablequeue.desktop']);

      await setLinuxAutostart(false, file, command);
      await expect(fs.access(file)).rejects.toThrow();
      // Removing twice is fine.
      await setLinuxAutostart(false, file, command);
      expect(await isLinuxAutostartEnabled(file)).toBe(false);
    });

    it('a file switched off in the desktop settings counts as off', async () => {
      const file = linuxAutostartPath({}, home);
      await setLinuxAutostart(true, file, { exec: '/x', args: [] });
      await fs.appendFile(file, 'Hidden=true\n');
      expect(await isLinuxAutostartEnabled(file)).toBe(false);
    });

    it('applyStartAtLogin on Linux writes the file and never touches login items', async () => {
      const app = { setLoginItemSettings: vi.fn(), getLoginItemSettings: vi.fn(() => ({ openAtLogin: false })) };
      const file = linuxAutostartPath({}, home);
      const context = { platform: 'linux' as const, app, command: { exec: '/x', args: [HIDDEN_ARG] }, linuxFile: file };
      expect(await applyStartAtLogin(true, context)).toBe(true);
      expect(await fs.readFile(file, 'utf8')).toContain('Exec=/x --hidden');
      expect(await applyStartAtLogin(false, context)).toBe(false);
      expect(app.setLoginItemSettings).not.toHaveBeenCalled();
    });
  });

  it('macOS and Windows use login items (Windows with --hidden)', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      let state = false;
      const app = {
        setLoginItemSettings: vi.fn((s: { openAtLogin: boolean }) => { state = s.openAtLogin; }),
        getLoginItemSettings: vi.fn(() => ({ openAtLogin: state })),
      };
      const context = { platform, app, command: { exec: '/x', args: [HIDDEN_ARG] }, linuxFile: '/nonexistent/x.desktop' };
      expect(await applyStartAtLogin(true, context)).toBe(true);
      expect(app.setLoginItemSettings).toHaveBeenLastCalledWith(
        platform === 'win32' ? { openAtLogin: true, args: [HIDDEN_ARG] } : { openAtLogin: true },
      );
      expect(await applyStartAtLogin(false, context)).toBe(false);
    }
  });
});
