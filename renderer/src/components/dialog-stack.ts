/**
 * Every overlay (dialogs, drawers, the image viewer), innermost last: only the top one
 * answers Escape and traps Tab, and each is drawn above the ones opened before it, so a
 * confirmation opened from the viewer can never sit underneath it.
 */
const stack: symbol[] = [];

/** Overlays start above the app's chrome (sidebar, top and tab bars, sticky bars). */
const OVERLAY_BASE_Z = 60;
const OVERLAY_STEP_Z = 10;

export interface StackEntry {
  id: symbol;
  /** The z-index this overlay draws at: above everything opened before it. */
  zIndex: number;
}

export function pushDialog(): StackEntry {
  const id = Symbol('overlay');
  stack.push(id);
  return { id, zIndex: OVERLAY_BASE_Z + OVERLAY_STEP_Z * (stack.length - 1) };
}

export function popDialog(id: symbol): void {
  const i = stack.indexOf(id);
  if (i >= 0) stack.splice(i, 1);
}

export function isTopDialog(id: symbol): boolean {
  return stack[stack.length - 1] === id;
}

export function anyDialogOpen(): boolean {
  return stack.length > 0;
}
