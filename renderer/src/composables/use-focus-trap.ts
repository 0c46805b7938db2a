/**
 * What a modal surface (dialog, drawer, image viewer) does with focus: Tab and Shift+Tab
 * cycle inside it, the page behind does not scroll, and on close focus goes back to
 * where it was (the button that opened it).
 */

export const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled]):not([type=hidden]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])';

/** For a Tab keydown inside `container`: wrap from the last focusable to the first and back. */
export function trapTab(e: KeyboardEvent, container: HTMLElement | null, selector = FOCUSABLE): void {
  if (e.key !== 'Tab' || !container) return;
  const els = [...container.querySelectorAll<HTMLElement>(selector)].filter((el) => el.offsetParent !== null || el === document.activeElement);
  if (!els.length) return;
  const first = els[0]!;
  const last = els[els.length - 1]!;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

const SCROLL_LOCK_CLASS = 'scroll-locked';

/** Scroll lock and focus return for one modal surface: `enter` when it opens, `leave` when it closes. */
export function useModalFocus() {
  let restoreFocus: HTMLElement | null = null;
  return {
    enter(): void {
      restoreFocus = document.activeElement as HTMLElement | null;
      document.documentElement.classList.add(SCROLL_LOCK_CLASS);
    },
    leave(options: { restore: boolean } = { restore: true }): void {
      document.documentElement.classList.remove(SCROLL_LOCK_CLASS);
      if (options.restore) restoreFocus?.focus?.({ preventScroll: true });
      restoreFocus = null;
    },
  };
}
