/**
 * `window.stablequeue`, typed as exactly what the desktop app's preload exposes (the
 * preload builds it with `satisfies DesktopBridge`). Absent in a browser: code that
 * needs the desktop asks `desktopBridge()` and offers nothing when it is null.
 */
import type { DesktopBridge } from '../../electron/preload/desktop-bridge.ts';

export type { DesktopAction, DesktopBridge, DesktopPreferences } from '../../electron/preload/desktop-bridge.ts';

declare global {
  interface Window {
    readonly stablequeue?: DesktopBridge;
  }
}

export function desktopBridge(): DesktopBridge | null {
  return window.stablequeue ?? null;
}
