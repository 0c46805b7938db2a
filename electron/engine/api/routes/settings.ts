import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { LIMITS } from '../../../../shared/limits.ts';
import type { Settings } from '../../queue/settings-store.ts';
import { SECRET_NAMES } from '../../secrets/secret-store.ts';
import type { ApiContext } from '../context.ts';

const SettingsView = Type.Object({
  resume_queue_at_start: Type.Boolean(),
  notifications_enabled: Type.Boolean(),
  theme: Type.Union([Type.Literal('system'), Type.Literal('dark'), Type.Literal('light')]),
  default_priority: Type.Integer(),
  backup_keep: Type.Integer(),
  low_disk_warning_mb: Type.Integer(),
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

const SettingsPatch = Type.Object({
  resume_queue_at_start: Type.Optional(Type.Boolean()),
  notifications_enabled: Type.Optional(Type.Boolean()),
  theme: Type.Optional(Type.Union([Type.Literal('system'), Type.Literal('dark'), Type.Literal('light')])),
  default_priority: Type.Optional(Type.Integer({ minimum: LIMITS.priorityMin, maximum: LIMITS.priorityMax })),
  backup_keep: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
  low_disk_warning_mb: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
}, { additionalProperties: false });

export function registerSettingsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const view = async () => ({
    ...ctx.settings.all(),
    outputs_dir: ctx.config.outputsDir,
    data_dir: ctx.config.dataDir,
    checkpoint_path: ctx.config.checkpointPath,
    lora_path: ctx.config.loraPath,
    secret_store: ctx.secrets.kind,
    secret_store_warning: ctx.secrets.warning ?? null,
    civitai_token_set: (await ctx.secrets.get(SECRET_NAMES.civitaiToken)) !== null,
    version: ctx.version,
  });

  app.get('/api/v1/settings', { schema: { tags: ['settings'], response: { 200: SettingsView } } }, async () => view());

  app.put<{ Body: Partial<Settings> }>('/api/v1/settings', {
    schema: { tags: ['settings'], body: SettingsPatch, response: { 200: SettingsView, 400: ApiErrorSchema } },
  }, async (request) => {
    ctx.settings.update(request.body);
    return view();
  });
}
