/** Types the renderer uses that the shared contract does not (yet) define. */
import type { JobStatus } from '../../../shared/jobs.ts';
import type { AppType } from '../../../shared/servers.ts';

export type ThemePreference = 'system' | 'dark' | 'light';

export interface Settings {
  resume_queue_at_start: boolean;
  notifications_enabled: boolean;
  theme: ThemePreference;
  default_priority: number;
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

/** Bootstrap info the desktop preload may expose. */
export interface Bootstrap {
  apiBase?: string;
  token?: string;
}

declare global {
  interface Window {
    stablequeue?: { bootstrap?: Bootstrap };
  }
}
