import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { LIMITS } from '../../../shared/limits.ts';
import { useApi } from '../api/client.ts';
import { optimistic } from '../composables/optimistic.ts';
import type { Settings, SettingsUpdate, ThemePreference } from '../api/types.ts';

export const THEME_STORAGE_KEY = 'stablequeue.theme';

export const defaultSettings = (): Settings => ({
  resume_queue_at_start: true,
  notifications_enabled: true,
  theme: 'system',
  default_priority: LIMITS.priorityDefault,
});

export const useSettings = defineStore('settings', () => {
  const api = useApi();
  const settings = ref<Settings>(defaultSettings());
  const loaded = ref(false);
  const loading = ref(false);
  const saving = ref(false);
  const error = ref<unknown>(null);
  /** Theme chosen on this device before settings load (kept in localStorage by the app). */
  const localTheme = ref<ThemePreference | null>(null);

  const theme = computed<ThemePreference>(() => (loaded.value ? settings.value.theme : (localTheme.value ?? settings.value.theme)));

  async function load(): Promise<void> {
    loading.value = true;
    try {
      settings.value = { ...defaultSettings(), ...(await api.getSettings()) };
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = err;
      throw err;
    } finally {
      loading.value = false;
    }
  }

  /** Optimistic save: the UI changes at once and rolls back if the engine refuses. */
  let latestSave = 0;
  async function save(patch: SettingsUpdate): Promise<void> {
    // A reply is applied only when no newer save is under way: quick toggles in a row would
    // otherwise flip back to an older answer until the last one arrives.
    const mine = ++latestSave;
    saving.value = true;
    try {
      await optimistic(
        () => {
          const before = settings.value;
          settings.value = { ...settings.value, ...patch } as Settings;
          return () => (settings.value = before);
        },
        async () => {
          const res = await api.updateSettings(patch);
          if (res && typeof res === 'object' && mine === latestSave) settings.value = { ...defaultSettings(), ...res };
        },
      );
    } finally {
      saving.value = false;
    }
  }

  return { settings, loaded, loading, saving, error, localTheme, theme, load, save };
});
