/**
 * What the tray shows: its tooltip and menu, built from the queue counts and the pause
 * state. Plain data (Electron's MenuItemConstructorOptions shape), so it is tested
 * without Electron and handed to Menu.buildFromTemplate by the tray controller.
 */

export interface TrayActions {
  openWindow(): void;
  togglePause(): void;
  openOutputsFolder(): void;
  quit(): void;
}

export interface TrayMenuItem {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator';
  enabled?: boolean;
  click?: () => void;
}

export interface TrayModel {
  tooltip: string;
  menu: TrayMenuItem[];
}

export interface QueueSnapshot {
  counts: Readonly<Record<string, number>>;
  paused: boolean;
}

/** Jobs waiting their turn. */
export function pendingCount(counts: Readonly<Record<string, number>>): number {
  return counts.pending ?? 0;
}

/** Jobs being worked on: generating, or fetching their models first. */
export function runningCount(counts: Readonly<Record<string, number>>): number {
  return (counts.processing ?? 0) + (counts.downloading_resources ?? 0);
}

export function buildTrayModel(snapshot: QueueSnapshot, actions: TrayActions): TrayModel {
  const pending = pendingCount(snapshot.counts);
  const running = runningCount(snapshot.counts);
  // Held jobs wait for a release, not their turn: named beside the pending ones, not counted in.
  const held = snapshot.counts.held ?? 0;
  const state = snapshot.paused ? ' (paused)' : '';
  return {
    tooltip: `StableQueue: ${pending} pending, ${running} running${state}`,
    menu: [
      { id: 'pending', label: `Pending: ${pending}${held ? ` (${held} held)` : ''}`, enabled: false },
      { id: 'running', label: `Running: ${running}${snapshot.paused ? ' (queue paused)' : ''}`, enabled: false },
      { type: 'separator' },
      { id: 'open', label: 'Open StableQueue', click: actions.openWindow },
      { id: 'pause', label: snapshot.paused ? 'Resume queue' : 'Pause queue', click: actions.togglePause },
      { id: 'outputs', label: 'Open outputs folder', click: actions.openOutputsFolder },
      { type: 'separator' },
      { id: 'quit', label: 'Quit StableQueue', click: actions.quit },
    ],
  };
}
