/**
 * The shell's own settings, kept by electron-store in userData/preferences.json: window
 * bounds, the last port and two switches (start at login, start minimized). Everything
 * else, notifications included, is an engine setting in the engine's database.
 */
import type { DesktopPreferences } from '../preload/desktop-bridge.ts';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

export interface ShellPreferences extends DesktopPreferences {
  windowBounds: WindowBounds | null;
  /** The port the engine had last time: reused so the window's origin (and its storage) stays the same. */
  lastPort: number | null;
}

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 840 } as const;
export const MIN_WINDOW_SIZE = { width: 380, height: 560 } as const;

export const DEFAULT_PREFERENCES: ShellPreferences = {
  startAtLogin: false,
  startMinimized: false,
  windowBounds: null,
  lastPort: null,
};

/** JSON schema for electron-store (it validates on read and write). */
export const PREFERENCES_SCHEMA = {
  startAtLogin: { type: 'boolean' },
  startMinimized: { type: 'boolean' },
  windowBounds: {
    type: ['object', 'null'],
    properties: {
      x: { type: 'number' },
      y: { type: 'number' },
      width: { type: 'number', minimum: 100 },
      height: { type: 'number', minimum: 100 },
      maximized: { type: 'boolean' },
    },
    required: ['width', 'height'],
  },
  lastPort: { type: ['integer', 'null'], minimum: 1, maximum: 65535 },
} as const;

/** The part of electron-store (or any key-value store) the shell uses. */
export interface PreferenceStore {
  get<K extends keyof ShellPreferences>(key: K): ShellPreferences[K];
  set<K extends keyof ShellPreferences>(key: K, value: ShellPreferences[K]): void;
}

export function desktopPreferences(store: PreferenceStore): DesktopPreferences {
  return {
    startAtLogin: store.get('startAtLogin'),
    startMinimized: store.get('startMinimized'),
  };
}

export interface DisplayArea {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Bounds to open the window with: the saved ones if at least a 100x50 corner of the
 * title bar is on a display (a monitor may be gone since), else the default size centred.
 */
export function restoreWindowBounds(saved: WindowBounds | null, workAreas: readonly DisplayArea[]): WindowBounds {
  const fallback: WindowBounds = { ...DEFAULT_WINDOW_SIZE };
  if (!saved || !Number.isFinite(saved.width) || !Number.isFinite(saved.height)) return fallback;
  const width = Math.max(MIN_WINDOW_SIZE.width, Math.round(saved.width));
  const height = Math.max(MIN_WINDOW_SIZE.height, Math.round(saved.height));
  const maximized = saved.maximized === true;
  if (saved.x === undefined || saved.y === undefined) return { width, height, maximized };
  const { x, y } = saved;
  const visible = workAreas.some((area) => {
    const left = Math.max(x, area.x);
    const right = Math.min(x + width, area.x + area.width);
    const top = Math.max(y, area.y);
    const bottom = Math.min(y + 50, area.y + area.height);
    return right - left >= 100 && bottom - top >= 50;
  });
  return visible ? { x, y, width, height, maximized } : { width, height, maximized };
}
