import { onBeforeUnmount, ref, type Ref } from 'vue';

/** Whether a CSS media query matches now, kept up to date (e.g. the phone layout's breakpoint). */
export function useMediaQuery(query: string): Ref<boolean> {
  const mql = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : null;
  const matches = ref(mql?.matches ?? false);
  const onChange = (e: MediaQueryListEvent) => (matches.value = e.matches);
  mql?.addEventListener('change', onChange);
  onBeforeUnmount(() => mql?.removeEventListener('change', onChange));
  return matches;
}
