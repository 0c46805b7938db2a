/**
 * The colour theme: `data-theme` on <html> (absent = follow the system), cached in
 * localStorage so the pre-paint script in index.html picks it before the app loads, and
 * the sidebar's button that cycles system → dark → light.
 */
import { computed, watch } from 'vue';
import type { ThemePreference } from '../api/types.ts';
import { THEME_STORAGE_KEY, useSettings } from '../stores/settings.ts';
import { useToasts } from '../stores/toasts.ts';

const THEME_CYCLE: ThemePreference[] = ['system', 'dark', 'light'];
const THEME_ICONS: Record<ThemePreference, 'monitor' | 'moon' | 'sun'> = { system: 'monitor', dark: 'moon', light: 'sun' };

function isTheme(value: unknown): value is ThemePreference {
  return value === 'dark' || value === 'light' || value === 'system';
}

/** Once, at the app's root: take the cached choice, then keep <html> and the cache in step. */
export function useThemeOnDocument(): void {
  const settings = useSettings();
  try {
    const cached = localStorage.getItem(THEME_STORAGE_KEY);
    if (isTheme(cached)) settings.localTheme = cached;
  } catch {
    /* storage blocked */
  }
  watch(
    () => settings.theme,
    (theme) => {
      const root = document.documentElement;
      if (theme === 'system') delete root.dataset.theme;
      else root.dataset.theme = theme;
      try {
        localStorage.setItem(THEME_STORAGE_KEY, theme);
      } catch {
        /* ignore */
      }
    },
    { immediate: true },
  );
}

/** The current theme's icon and a step to the next one (saved to the engine). */
export function useThemeCycle() {
  const settings = useSettings();
  const toasts = useToasts();
  const icon = computed(() => THEME_ICONS[settings.theme]);
  async function cycle(): Promise<void> {
    const next = THEME_CYCLE[(THEME_CYCLE.indexOf(settings.theme) + 1) % THEME_CYCLE.length]!;
    settings.localTheme = next;
    try {
      await settings.save({ theme: next });
    } catch (err) {
      if (settings.loaded) toasts.error('Could not save the theme', err);
    }
  }
  return { theme: computed(() => settings.theme), icon, cycle };
}
