/** Query shapes of the renderer's client; every response and body type comes from shared/. */
import type { JobStatus } from '../../../shared/jobs.ts';
import type { AppType } from '../../../shared/servers.ts';
import type { SettingsView } from '../../../shared/settings.ts';

export type { ApiKeyCreate, ApiKeyCreated, ApiKeyUpdate, ApiKeyView, Permission as ApiKeyPermission } from '../../../shared/api-keys.ts';
export type { Health } from '../../../shared/health.ts';
export type { QueueState } from '../../../shared/jobs.ts';
export type { SettingsPatch as SettingsUpdate, ThemePreference } from '../../../shared/settings.ts';

/** The settings as the store holds them: the editable ones always (defaults until loaded), the rest once loaded. */
export type Settings = Pick<SettingsView, 'resume_queue_at_start' | 'notifications_enabled' | 'theme' | 'default_priority'> & Partial<SettingsView>;

export interface JobListQuery {
  status?: JobStatus[];
  app_type?: AppType;
  /** A job id (exact) or words of the prompt. */
  q?: string;
  limit?: number;
  offset?: number;
}

export type { GalleryListQuery as GalleryQuery } from '../../../shared/images.ts';

/** GET /api/v1/auth/session */
export interface AuthSession {
  authenticated: boolean;
  password_required: boolean;
  message?: string;
}
