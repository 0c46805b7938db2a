/**
 * Reorder a list by dragging a grip (pointer events: mouse, pen and touch) or with the
 * keyboard on the grip (↑/↓ one place, Home/End to the ends). While dragging, the held
 * row follows the pointer and the rows it passes slide out of its way; on release one
 * move request says where it landed (`before` / `after` a neighbour, or `to` an end).
 */
import { onBeforeUnmount, onMounted, reactive, watch } from 'vue';
import type { ReorderRequest } from '../../../shared/jobs.ts';

/** How close to the window's top/bottom edge the list scrolls while dragging, and by how much. */
const AUTO_SCROLL_EDGE_PX = 70;
const AUTO_SCROLL_STEP_PX = 8;
/** The phone's tab bar covers the bottom of the window. */
const PHONE_MAX_WIDTH = 900;
const PHONE_TABBAR_PX = 60;
/** The gap between rows, added to the held row's height when the others slide. */
const ROW_GAP_PX = 8;

export interface DragReorderOptions {
  /** The ids that can move, in their current order. */
  ids: () => string[];
  move: (id: string, req: ReorderRequest) => Promise<void>;
  /** The grip inside a row, to give focus back after a keyboard move. */
  gripSelector: string;
}

export function useDragReorder(opts: DragReorderOptions) {
  const rowEls = new Map<string, HTMLElement>();
  const state = reactive({ id: null as string | null, startY: 0, dy: 0, from: -1, to: -1, heights: [] as number[], tops: [] as number[], pointerId: -1 });

  /**
   * The job last moved with the keyboard: its grip gets focus back whenever the list
   * re-renders (a row's element that moves loses focus, and the server's answer or a live
   * update may move it again after the move), until the user clicks or focuses elsewhere.
   */
  let keyboardMoved: string | null = null;
  const gripOf = (id: string) => rowEls.get(id)?.querySelector<HTMLElement>(opts.gripSelector) ?? null;
  const focusLost = () => !document.activeElement || document.activeElement === document.body;
  watch(opts.ids, () => {
    if (keyboardMoved && focusLost()) gripOf(keyboardMoved)?.focus();
  }, { flush: 'post' });
  const forget = (e: Event) => {
    if (keyboardMoved && e.target !== gripOf(keyboardMoved)) keyboardMoved = null;
  };
  onMounted(() => {
    document.addEventListener('pointerdown', forget, true);
    document.addEventListener('focusin', forget, true);
  });
  onBeforeUnmount(() => {
    document.removeEventListener('pointerdown', forget, true);
    document.removeEventListener('focusin', forget, true);
  });

  function setRowEl(id: string, el: unknown): void {
    if (el instanceof HTMLElement) rowEls.set(id, el);
    else rowEls.delete(id);
  }

  function onPointerDown(e: PointerEvent, id: string): void {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    const ids = opts.ids();
    const from = ids.indexOf(id);
    if (from < 0) return;
    e.preventDefault();
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    Object.assign(state, {
      id, pointerId: e.pointerId, startY: e.clientY, dy: 0, from, to: from,
      tops: ids.map((x) => rowEls.get(x)?.getBoundingClientRect().top ?? 0),
      heights: ids.map((x) => rowEls.get(x)?.getBoundingClientRect().height ?? 0),
    });
  }

  function onPointerMove(e: PointerEvent): void {
    if (!state.id || e.pointerId !== state.pointerId) return;
    state.dy = e.clientY - state.startY;
    const center = state.tops[state.from]! + state.heights[state.from]! / 2 + state.dy;
    // `to` counts rows above the pointer among the others, in the original index space.
    let count = 0;
    for (let i = 0; i < state.tops.length; i++) {
      if (i === state.from) continue;
      if (center > state.tops[i]! + state.heights[i]! / 2) count++;
    }
    state.to = count;
    if (e.clientY < AUTO_SCROLL_EDGE_PX) window.scrollBy(0, -AUTO_SCROLL_STEP_PX);
    else if (e.clientY > window.innerHeight - AUTO_SCROLL_EDGE_PX - (window.innerWidth < PHONE_MAX_WIDTH ? PHONE_TABBAR_PX : 0)) window.scrollBy(0, AUTO_SCROLL_STEP_PX);
  }

  /** How far a row is moved right now: the held row follows the pointer, passed rows make room. */
  function shiftFor(id: string): number {
    if (!state.id) return 0;
    const i = opts.ids().indexOf(id);
    if (i < 0) return 0;
    if (id === state.id) return state.dy;
    const h = state.heights[state.from]! + ROW_GAP_PX;
    if (state.from < state.to && i > state.from && i <= state.to) return -h;
    if (state.from > state.to && i >= state.to && i < state.from) return h;
    return 0;
  }

  async function onPointerUp(e: PointerEvent): Promise<void> {
    if (!state.id || e.pointerId !== state.pointerId) return;
    const id = state.id;
    const { from, to } = state;
    state.id = null;
    state.dy = 0;
    if (to === from) return;
    const others = opts.ids().filter((x) => x !== id);
    await opts.move(id, to === 0 ? { before: others[0]! } : { after: others[to - 1]! });
  }

  async function onKey(e: KeyboardEvent, id: string): Promise<void> {
    const ids = opts.ids();
    const i = ids.indexOf(id);
    if (i < 0) return;
    let req: ReorderRequest | null = null;
    if (e.key === 'ArrowUp' && i > 0) req = { before: ids[i - 1]! };
    else if (e.key === 'ArrowDown' && i < ids.length - 1) req = { after: ids[i + 1]! };
    else if (e.key === 'Home' && i > 0) req = { to: 'top' };
    else if (e.key === 'End' && i < ids.length - 1) req = { to: 'bottom' };
    if (!req) return;
    e.preventDefault();
    const target = e.currentTarget as HTMLElement;
    keyboardMoved = id;
    await opts.move(id, req);
    requestAnimationFrame(() => {
      if (focusLost()) (gripOf(id) ?? target).focus();
    });
  }

  return { state, setRowEl, onPointerDown, onPointerMove, onPointerUp, onKey, shiftFor };
}

export type DragReorder = ReturnType<typeof useDragReorder>;
