/** Types the renderer uses that the shared contract does not (yet) define. */
import type { JobStatus } from '../../../shared/jobs.ts';
import type { AppType } from '../../../shared/servers.ts';

export type ThemePreference = 'system' | 'dark' | 'light';

export interface Settings {
  resume_queue_at_start: boolean;
  notifications_enabled: boolean;
  theme: ThemePreference;
  default_priority: number;
  /** How many database backups are kept. */
  backup_keep?: number;
  /** Below this much free space a disk is shown as low. */
  low_disk_warning_mb?: number;
  /** read-only */
  outputs_dir?: string;
  /** read-only */
  data_dir?: string;
  [key: string]: unknown;
}

export type SettingsUpdate = Partial<Omit<Settings, 'outputs_dir' | 'data_dir'>>;

export interface Health {
  ok: boolean;
  version: string;
}

export interface QueueState {
  paused: boolean;
  counts: Record<string, number>;
}

export interface JobListQuery {
  status?: JobStatus[];
  app_type?: AppType;
  limit?: number;
  offset?: number;
}

export interface GalleryQuery {
  limit?: number;
  cursor?: string | null;
  server?: string;
  checkpoint?: string;
  q?: string;
  from?: string;
  to?: string;
}

/** What an API key may do (the engine's permission list). */
export type ApiKeyPermission = 'submit' | 'read' | 'admin';

/** An API key as GET /api/v1/api-keys lists it (never with its secret). */
export interface ApiKeyView {
  id: string;
  name: string;
  /** the public key id, sent as X-API-Key */
  key: string;
  permissions: ApiKeyPermission[];
  is_active: boolean;
  created_at: string;
  last_used: string | null;
  rate_limit_per_minute: number;
  max_queue_depth: number;
}

/** The creation answer: the view plus the secret, which is never shown again. */
export interface ApiKeyCreated extends ApiKeyView {
  secret: string;
}

export interface ApiKeyCreate {
  name: string;
  permissions?: ApiKeyPermission[];
  rate_limit_per_minute?: number;
  max_queue_depth?: number;
}

export type ApiKeyUpdate = Partial<ApiKeyCreate> & { is_active?: boolean };

/** GET /api/v1/auth/session */
export interface AuthSession {
  authenticated: boolean;
  password_required: boolean;
  message?: string;
}
