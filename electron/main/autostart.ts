/**
 * Start at login. macOS and Windows have login items (app.setLoginItemSettings); Linux
 * desktops follow the XDG autostart spec, so there the shell writes
 * ~/.config/autostart/stablequeue.desktop itself.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/** The argument an automatic start passes, so the app starts in the tray. */
export const HIDDEN_ARG = '--hidden';
export const AUTOSTART_FILE_NAME = 'stablequeue.desktop';

export interface LaunchCommand {
  /** The program to run. */
  exec: string;
  args: string[];
}

/**
 * How to launch this app again. An AppImage runs from a temporary mount, so its $APPIMAGE
 * path is the one to remember; an unpackaged dev run needs the app folder after Electron.
 */
export function launchCommand(options: {
  execPath: string;
  isPackaged: boolean;
  appPath: string;
  env: NodeJS.ProcessEnv;
}): LaunchCommand {
  if (options.env.APPIMAGE) return { exec: options.env.APPIMAGE, args: [HIDDEN_ARG] };
  if (!options.isPackaged) return { exec: options.execPath, args: [options.appPath, HIDDEN_ARG] };
  return { exec: options.execPath, args: [HIDDEN_ARG] };
}

/** $XDG_CONFIG_HOME/autostart/stablequeue.desktop, defaulting to ~/.config. */
export function linuxAutostartPath(env: NodeJS.ProcessEnv, homeDir: string): string {
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homeDir, '.config');
  return path.join(configHome, 'autostart', AUTOSTART_FILE_NAME);
}

/**
 * One Exec argument, quoted as the Desktop Entry spec asks: inside double quotes, `"`,
 * backtick, `$` and `\` take a backslash; then the value's own escaping doubles every
 * backslash; `%` (field codes) becomes `%%`.
 */
export function quoteExecArg(arg: string): string {
  if (/[\n\r\t\0]/.test(arg)) throw new Error('A launch argument cannot contain control characters.');
  const percent = arg.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(percent)) return percent;
  const quoted = `"${percent.replace(/(["`$\\])/g, '\\$1')}"`;
  return quoted.replace(/\\/g, '\\\\');
}

export function desktopEntryExec(command: LaunchCommand): string {
  return [command.exec, ...command.args].map(quoteExecArg).join(' ');
}

/** The content of the autostart .desktop file. */
export function linuxDesktopEntry(command: LaunchCommand, iconPath?: string | null): string {
  const lines = [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=StableQueue',
    'Comment=Stable Diffusion job queue (starts in the tray)',
    `Exec=${desktopEntryExec(command)}`,
  ];
  if (iconPath) lines.push(`Icon=${iconPath.replace(/[\n\r]/g, '')}`);
  lines.push('Terminal=false', 'Categories=Graphics;', 'StartupNotify=false', 'X-GNOME-Autostart-enabled=true');
  return `${lines.join('\n')}\n`;
}

/** Writes (enabled) or removes (disabled) the autostart file. Removing a missing file is fine. */
export async function setLinuxAutostart(enabled: boolean, file: string, command: LaunchCommand, iconPath?: string | null): Promise<void> {
  if (!enabled) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, linuxDesktopEntry(command, iconPath), { mode: 0o644 });
  await fs.rename(tmp, file);
}

export async function isLinuxAutostartEnabled(file: string): Promise<boolean> {
  try {
    const text = await fs.readFile(file, 'utf8');
    // A user may switch it off in their desktop's settings without deleting the file.
    return !/^\s*(Hidden\s*=\s*true|X-GNOME-Autostart-enabled\s*=\s*false)\s*$/im.test(text);
  } catch {
    return false;
  }
}

/** The part of Electron's `app` used for login items (macOS, Windows). */
export interface LoginItemApi {
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[]; path?: string }): void;
  getLoginItemSettings(options?: { args?: string[]; path?: string }): { openAtLogin: boolean };
}

export interface StartAtLoginContext {
  platform: NodeJS.Platform;
  app: LoginItemApi;
  command: LaunchCommand;
  linuxFile: string;
  iconPath?: string | null;
}

/** Applies the preference on this platform and returns what the system now says. */
export async function applyStartAtLogin(enabled: boolean, context: StartAtLoginContext): Promise<boolean> {
  if (context.platform === 'linux') {
    await setLinuxAutostart(enabled, context.linuxFile, context.command, context.iconPath);
    return isLinuxAutostartEnabled(context.linuxFile);
  }
  if (context.platform === 'darwin' || context.platform === 'win32') {
    // Windows passes args to the login item (and needs the same args to read it back);
    // macOS ignores them and reports wasOpenedAtLogin instead.
    const args = context.platform === 'win32' ? [HIDDEN_ARG] : undefined;
    context.app.setLoginItemSettings({ openAtLogin: enabled, ...(args ? { args } : {}) });
    return context.app.getLoginItemSettings(args ? { args } : undefined).openAtLogin;
  }
  return false;
}
