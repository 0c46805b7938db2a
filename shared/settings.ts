import Type from 'typebox';
import { LIMITS } from './limits.ts';
import { NotifyEventSchema } from './notifications.ts';

export const ThemePreferenceSchema = Type.Union([Type.Literal('system'), Type.Literal('dark'), Type.Literal('light')]);
export type ThemePreference = Type.Static<typeof ThemePreferenceSchema>;

/** GET/PUT /api/v1/settings: the stored settings plus read-only facts about this install. */
export const SettingsViewSchema = Type.Object({
  resume_queue_at_start: Type.Boolean(),
  notifications_enabled: Type.Boolean(),
  theme: ThemePreferenceSchema,
  default_priority: Type.Integer(),
  backup_keep: Type.Integer(),
  low_disk_warning_mb: Type.Integer(),
  model_update_check_hours: Type.Integer({ description: 'hours between scheduled Civitai update checks; 0 = never' }),
  gallery_trash_days: Type.Integer({ description: 'days a deleted gallery image stays in the trash, restorable, before it is deleted for good' }),
  batch_max_jobs: Type.Integer({ description: 'most jobs one batch may make' }),
  wildcards_dir: Type.String({ description: 'where __name__ wildcard files are read from (name.txt, folders nest)' }),
  dispatch_grouping: Type.Boolean({ description: 'a job whose checkpoint is loaded on a free server may go before one that would make it load another' }),
  dispatch_max_overtake: Type.Integer({ description: 'grouping lets at most this many jobs pass any one job' }),
  dispatch_max_delay_minutes: Type.Integer({ description: 'and passes no job first passed longer ago than this' }),
  dispatch_fair_share: Type.Boolean({ description: 'within a priority level, jobs take turns between API keys / sources' }),
  queue_stop_at: Type.Union([Type.String(), Type.Null()], { description: 'daily "stop starting new jobs at HH:MM" (engine machine time): the queue pauses itself then; null = never' }),
  desktop_notify_events: Type.Array(NotifyEventSchema, { description: 'the events the desktop app (and an open browser tab) shows as notifications, while notifications_enabled is on' }),
  public_url: Type.Union([Type.String(), Type.Null()], { description: 'the address links in notifications and webhooks point at (e.g. https://sd.home.lan); null = where this engine listens' }),
  queue_paused: Type.Boolean(),
  outputs_dir: Type.String(),
  data_dir: Type.String(),
  checkpoint_path: Type.Union([Type.String(), Type.Null()]),
  lora_path: Type.Union([Type.String(), Type.Null()]),
  secret_store: Type.String(),
  secret_store_warning: Type.Union([Type.String(), Type.Null()]),
  civitai_token_set: Type.Boolean({ description: 'the token itself is write-only: PUT/DELETE /api/v1/settings/civitai-token' }),
  version: Type.String(),
});
export type SettingsView = Type.Static<typeof SettingsViewSchema>;

/** PUT /api/v1/settings: the settings a client may change, each optional. */
export const SettingsPatchSchema = Type.Object({
  resume_queue_at_start: Type.Optional(Type.Boolean()),
  notifications_enabled: Type.Optional(Type.Boolean()),
  theme: Type.Optional(ThemePreferenceSchema),
  default_priority: Type.Optional(Type.Integer({ minimum: LIMITS.priorityMin, maximum: LIMITS.priorityMax })),
  backup_keep: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
  low_disk_warning_mb: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  model_update_check_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 30 })),
  gallery_trash_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  batch_max_jobs: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  dispatch_grouping: Type.Optional(Type.Boolean()),
  dispatch_max_overtake: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  dispatch_max_delay_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 })),
  dispatch_fair_share: Type.Optional(Type.Boolean()),
  queue_stop_at: Type.Optional(Type.Union([Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }), Type.Null()])),
  desktop_notify_events: Type.Optional(Type.Array(NotifyEventSchema, { uniqueItems: true, maxItems: 20 })),
  public_url: Type.Optional(Type.Union([Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', maxLength: 2048 }), Type.Null()])),
}, { additionalProperties: false });
export type SettingsPatch = Type.Static<typeof SettingsPatchSchema>;
