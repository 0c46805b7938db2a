/**
 * Keeps the tray's tooltip and menu in step with the queue. Electron's Tray and
 * Menu.buildFromTemplate come in as parameters.
 */
import { buildTrayModel, type QueueSnapshot, type TrayActions, type TrayMenuItem } from './tray-menu.ts';

export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
}

export class TrayController {
  readonly #tray: TrayLike;
  readonly #buildMenu: (template: TrayMenuItem[]) => unknown;
  readonly #actions: TrayActions;
  #shown: string | null = null;

  constructor(tray: TrayLike, buildMenu: (template: TrayMenuItem[]) => unknown, actions: TrayActions) {
    this.#tray = tray;
    this.#buildMenu = buildMenu;
    this.#actions = actions;
  }

  /** Rebuilds the menu only when what it shows has changed (menus are rebuilt on every event otherwise). */
  update(snapshot: QueueSnapshot): void {
    const model = buildTrayModel(snapshot, this.#actions);
    const key = JSON.stringify(model.menu.map((item) => item.label ?? item.type));
    if (key === this.#shown) return;
    this.#shown = key;
    this.#tray.setToolTip(model.tooltip);
    this.#tray.setContextMenu(this.#buildMenu(model.menu));
  }
}
