import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { ServerCapabilitiesSchema } from '../../../../shared/generate-library.ts';
import type { ApiContext } from '../../api/context.ts';
import { serverCapabilities } from '../server-capabilities.ts';

/** GET /api/v1/servers/:alias/capabilities: ControlNet, ADetailer, upscalers and styles of a Forge server ("auto": all online). */
export function registerCapabilityRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { alias: string } }>('/api/v1/servers/:alias/capabilities', {
    config: { permission: 'read' },
    schema: {
      tags: ['servers'], params: Type.Object({ alias: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: ServerCapabilitiesSchema, 404: ApiErrorSchema },
    },
  }, async (request) => serverCapabilities(ctx, request.params.alias));
}
