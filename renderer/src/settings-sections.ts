import type { Component } from 'vue';

/**
 * Extra Settings sections, rendered after the built-in ones. Later features plug in
 * here without touching SettingsView (e.g. API keys: create / list / disable / delete
 * against /api/v1/api-keys, with the secret shown once and a copy button).
 */
export interface SettingsSection {
  id: string;
  title: string;
  description?: string;
  component: () => Promise<Component | { default: Component }>;
}

export const settingsSections: SettingsSection[] = [
  { id: 'api-keys', title: 'API keys', component: () => import('./components/settings/ApiKeysPanel.vue') },
  { id: 'civitai', title: 'Civitai', component: () => import('./components/settings/CivitaiTokenPanel.vue') },
];
