import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { ComfyTemplateInputSchema, ComfyTemplateListSchema, ComfyTemplateSchema, type ComfyTemplateInput } from '../../../../shared/generate-library.ts';
import type { TemplateStore } from '../template-store.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };
const tags = ['generate'];

/**
 * /api/v1/comfyui/templates: API-format workflows saved with a name. A job names one in
 * generation_params.workflow_template (id or name) and sets its inputs with the flat
 * fields (positive_prompt, seed, width…) and template_inputs.
 */
export function registerTemplateRoutes(app: FastifyInstance, templates: TemplateStore): void {
  app.get('/api/v1/comfyui/templates', {
    config: { permission: 'read' }, schema: { tags, response: { 200: ComfyTemplateListSchema } },
  }, async () => ({ templates: templates.list() }));

  app.post<{ Body: ComfyTemplateInput }>('/api/v1/comfyui/templates', {
    config: { permission: 'submit' }, schema: { tags, body: ComfyTemplateInputSchema, response: { 201: ComfyTemplateSchema, ...errors } },
  }, async (request, reply) => reply.code(201).send(templates.create(request.body)));

  app.get<{ Params: { id: number } }>('/api/v1/comfyui/templates/:id', {
    config: { permission: 'read' }, schema: { tags, params: IdParams, response: { 200: ComfyTemplateSchema, ...errors } },
  }, async (request) => templates.get(request.params.id));

  app.put<{ Params: { id: number }; Body: ComfyTemplateInput }>('/api/v1/comfyui/templates/:id', {
    config: { permission: 'submit' }, schema: { tags, params: IdParams, body: ComfyTemplateInputSchema, response: { 200: ComfyTemplateSchema, ...errors } },
  }, async (request) => templates.update(request.params.id, request.body));

  app.delete<{ Params: { id: number } }>('/api/v1/comfyui/templates/:id', {
    config: { permission: 'submit' }, schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } },
  }, async (request, reply) => {
    templates.remove(request.params.id);
    return reply.code(204).send();
  });
}
