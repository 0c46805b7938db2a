import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { FormPresetInputSchema, FormPresetListSchema, FormPresetSchema, type FormPresetInput } from '../../../../shared/generate-library.ts';
import type { PresetStore } from '../preset-store.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };
const tags = ['generate'];

/** /api/v1/generate/presets: whole Generate forms saved by name (saving a name again replaces it). */
export function registerPresetRoutes(app: FastifyInstance, presets: PresetStore): void {
  app.get('/api/v1/generate/presets', {
    config: { permission: 'read' }, schema: { tags, response: { 200: FormPresetListSchema } },
  }, async () => ({ presets: presets.list() }));

  app.post<{ Body: FormPresetInput }>('/api/v1/generate/presets', {
    config: { permission: 'submit' }, schema: { tags, body: FormPresetInputSchema, response: { 200: FormPresetSchema, ...errors } },
  }, async (request) => presets.save(request.body));

  app.delete<{ Params: { id: number } }>('/api/v1/generate/presets/:id', {
    config: { permission: 'submit' }, schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } },
  }, async (request, reply) => {
    presets.remove(request.params.id);
    return reply.code(204).send();
  });
}
