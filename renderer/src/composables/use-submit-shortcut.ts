/**
 * Ctrl+Enter (⌘+Enter on a Mac) anywhere on a page runs its submit. The listener lives
 * only while the page is shown: kept-alive pages attach on activate and detach on
 * deactivate, so a hidden Generate page never submits.
 */
import { onActivated, onBeforeUnmount, onDeactivated, onMounted } from 'vue';

export const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
/** The modifier key's label as the keyboard shows it. */
export const SUBMIT_MODIFIER_LABEL = IS_MAC ? '⌘' : 'Ctrl';

export function useSubmitShortcut(submit: () => void): void {
  function onKey(e: KeyboardEvent) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  }
  let listening = false;
  function listen(on: boolean) {
    if (on && !listening) window.addEventListener('keydown', onKey);
    if (!on && listening) window.removeEventListener('keydown', onKey);
    listening = on;
  }
  onMounted(() => listen(true));
  onActivated(() => listen(true));
  onDeactivated(() => listen(false));
  onBeforeUnmount(() => listen(false));
}
