import type { FastifyInstance } from 'fastify';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { SettingsPatchSchema, SettingsViewSchema, type SettingsView } from '../../../../shared/settings.ts';
import type { Settings } from '../../queue/settings-store.ts';
import { SECRET_NAMES } from '../../secrets/secret-store.ts';
import type { ApiContext } from '../context.ts';

export function registerSettingsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const view = async (): Promise<SettingsView> => ({
    ...ctx.settings.all(),
    outputs_dir: ctx.config.outputsDir,
    data_dir: ctx.config.dataDir,
    checkpoint_path: ctx.config.checkpointPath,
    lora_path: ctx.config.loraPath,
    wildcards_dir: ctx.config.wildcardsDir,
    secret_store: ctx.secrets.kind,
    secret_store_warning: ctx.secrets.warning ?? null,
    civitai_token_set: (await ctx.secrets.get(SECRET_NAMES.civitaiToken)) !== null,
    version: ctx.version,
  });

  app.get('/api/v1/settings', { config: { permission: 'admin' }, schema: { tags: ['settings'], response: { 200: SettingsViewSchema } } }, async () => view());

  app.put<{ Body: Partial<Settings> }>('/api/v1/settings', {
    config: { permission: 'admin' },
    schema: { tags: ['settings'], body: SettingsPatchSchema, response: { 200: SettingsViewSchema, 400: ApiErrorSchema } },
  }, async (request) => {
    ctx.settings.update(request.body);
    return view();
  });
}
