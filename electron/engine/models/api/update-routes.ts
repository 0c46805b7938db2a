import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { UpdateModelBodySchema, UpdateModelResponseSchema, UpdatesResponseSchema } from '../../../../shared/model-updates.ts';
import { ApiError } from '../../api/errors.ts';
import { toModelView } from '../library/model-view.ts';
import type { ModelsServices } from '../models-services.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The update check's results, and the one-click update of a model to its newest version. */
export function registerUpdateRoutes(app: FastifyInstance, services: ModelsServices): void {
  const { library, updates } = services;

  app.get('/api/v1/models/updates', {
    config: { permission: 'read' },
    schema: { tags: ['models'], summary: 'Models with a newer version on Civitai, and when that was last checked', response: { 200: UpdatesResponseSchema } },
  }, async () => {
    const last = updates.schedule.lastRun();
    return {
      interval_hours: services.ctx.settings.get('model_update_check_hours'),
      last_checked_at: iso(last?.checked_at),
      last_error: last?.error ?? null,
      next_check_at: iso(updates.schedule.nextDueAt()),
      checked: last?.checked ?? 0,
      models: library.store.list({ updates: true, limit: 500, offset: 0 }).rows.map(toModelView),
    };
  });

  app.post<{ Params: { id: number }; Body: { old?: 'keep' | 'trash' } | undefined }>('/api/v1/models/:id/update', {
    config: { permission: 'admin' },
    schema: {
      tags: ['models'],
      summary: 'Download the newest version next to this one (keep the old one, or move it to the trash once the new one is in)',
      params: IdParams, body: Type.Optional(UpdateModelBodySchema),
      response: { 200: UpdateModelResponseSchema, 202: UpdateModelResponseSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
    },
  }, async (request, reply) => {
    const row = library.store.get(request.params.id);
    if (!row) throw new ApiError(404, 'model_not_found', `No model with id ${request.params.id}; the library may have been rescanned.`);
    if (!row.latest_version_id || row.update_available !== 1) {
      throw new ApiError(409, 'no_update', `${row.rel_path} has no known newer version; check for updates first.`);
    }
    const old = request.body?.old ?? 'keep';
    const folder = path.posix.dirname(row.rel_path);
    const { download, existing } = await services.downloads.enqueue({ versionId: row.latest_version_id, subfolder: folder === '.' ? null : folder });
    updates.followUp(download.id, row.id, old);
    if (existing) await updates.finished(download.id, 'completed');
    return reply.code(existing ? 200 : 202).send({ download, already_installed: existing !== null, old });
  });
}
