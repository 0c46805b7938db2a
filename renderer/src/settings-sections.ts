import type { Component } from 'vue';
import { desktopBridge } from './desktop-bridge.ts';

/**
 * Extra Settings sections, rendered after the built-in ones. Later features plug in
 * here without touching SettingsView (e.g. API keys: create / list / disable / delete
 * against /api/v1/api-keys, with the secret shown once and a copy button).
 */
export interface SettingsSection {
  id: string;
  title: string;
  description?: string;
  /** Shown only when this answers true (e.g. only in the desktop app); always when absent. */
  available?: () => boolean;
  component: () => Promise<Component | { default: Component }>;
}

export const settingsSections: SettingsSection[] = [
  {
    id: 'desktop',
    title: 'Desktop',
    available: () => desktopBridge() !== null,
    component: () => import('./components/settings/DesktopPanel.vue'),
  },
  {
    id: 'dispatch',
    title: 'Dispatch',
    description: 'How jobs are ordered and sent: fewer model loads, and turns between sources. Jobs for “auto” always go where they finish first.',
    component: () => import('./components/settings/DispatchPanel.vue'),
  },
  {
    id: 'notifications-targets',
    title: 'Notification targets',
    description: 'This app, webhooks and push services (ntfy, Gotify, Discord, Slack, Telegram, Pushover, Home Assistant, Web Push) told when jobs finish or fail, servers go offline, downloads end, or the whole queue is done.',
    component: () => import('./components/settings/NotificationsPanel.vue'),
  },
  {
    id: 'gallery-sources',
    title: 'Gallery sources',
    description: 'Folders of images made outside StableQueue (Forge, A1111, ComfyUI, InvokeAI, SwarmUI), indexed in place so the gallery can search them too.',
    component: () => import('./components/settings/GallerySourcesPanel.vue'),
  },
  { id: 'api-keys', title: 'API keys', component: () => import('./components/settings/ApiKeysPanel.vue') },
  { id: 'civitai', title: 'Civitai', component: () => import('./components/settings/CivitaiTokenPanel.vue') },
  {
    id: 'maintenance',
    title: 'Backups & diagnostics',
    description: 'Database backups and restore, free disk space, and a bundle to attach to a bug report.',
    component: () => import('./components/settings/MaintenancePanel.vue'),
  },
];
