import type { NotifyEvent } from '../../../shared/notifications.ts';
import type { Db } from '../db/connection.ts';

/** User settings persisted in SQLite, with typed defaults. */
export interface Settings {
  queue_paused: boolean;
  resume_queue_at_start: boolean;
  notifications_enabled: boolean;
  theme: 'system' | 'dark' | 'light';
  default_priority: number;
  /** How many database backups to keep in <data>/backups. */
  backup_keep: number;
  /** Warn in the UI when a watched disk has less free space than this. */
  low_disk_warning_mb: number;
  /** Hours between scheduled Civitai update checks of the model library; 0 = never. */
  model_update_check_hours: number;
  /** Days a deleted gallery image waits in the trash (restorable) before its file is deleted for good. */
  gallery_trash_days: number;
  /** Most jobs one batch (POST /api/v1/batches) may make; a bigger grid is refused before anything is made. */
  batch_max_jobs: number;
  /** Let a job whose model is loaded go before one that would make its server load another. */
  dispatch_grouping: boolean;
  /** Grouping passes one job at most this many times... */
  dispatch_max_overtake: number;
  /** ...and not at all once it was first passed this many minutes ago. */
  dispatch_max_delay_minutes: number;
  /** Within a priority level, jobs take turns between API keys / sources. */
  dispatch_fair_share: boolean;
  /** Daily "stop starting new jobs at HH:MM" (this machine's time): the queue pauses itself then; null = never. */
  queue_stop_at: string | null;
  /** What the desktop app (and an open browser tab) notifies about, while notifications_enabled is on. */
  desktop_notify_events: NotifyEvent[];
  /** Where links in notifications point (a reverse proxy's address); null = where the engine listens. */
  public_url: string | null;
}

export const DEFAULT_SETTINGS: Settings = {
  queue_paused: false,
  resume_queue_at_start: true,
  notifications_enabled: true,
  theme: 'system',
  default_priority: 5,
  backup_keep: 7,
  low_disk_warning_mb: 1024,
  model_update_check_hours: 24,
  gallery_trash_days: 30,
  batch_max_jobs: 1000,
  dispatch_grouping: true,
  dispatch_max_overtake: 20,
  dispatch_max_delay_minutes: 10,
  dispatch_fair_share: false,
  queue_stop_at: null,
  desktop_notify_events: ['job.finished', 'job.failed', 'queue.drained'],
  public_url: null,
};

export class SettingsStore {
  readonly #db: Db;
  readonly #get;
  readonly #put;

  constructor(db: Db) {
    this.#db = db;
    this.#get = db.prepare<[string], { value_json: string }>('SELECT value_json FROM settings WHERE key = ?');
    this.#put = db.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json');
  }

  // Settings are read on hot paths (every dispatch pass, every submit): keep them in memory.
  readonly #cache = new Map<string, unknown>();

  get<K extends keyof Settings>(key: K): Settings[K] {
    if (!this.#cache.has(key)) {
      const row = this.#get.get(key);
      this.#cache.set(key, row ? JSON.parse(row.value_json) : DEFAULT_SETTINGS[key]);
    }
    return this.#cache.get(key) as Settings[K];
  }

  all(): Settings {
    const out = { ...DEFAULT_SETTINGS };
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      (out as Record<string, unknown>)[key] = this.get(key);
    }
    return out;
  }

  set<K extends keyof Settings>(key: K, value: Settings[K]): void {
    this.#put.run(key, JSON.stringify(value));
    this.#cache.set(key, value);
  }

  update(patch: Partial<Settings>): Settings {
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) this.#put.run(key, JSON.stringify(value));
    }).immediate();
    for (const [key, value] of Object.entries(patch)) this.#cache.set(key, value);
    return this.all();
  }
}
