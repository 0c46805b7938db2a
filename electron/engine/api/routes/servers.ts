import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import {
  ServerCreateSchema, ServerPauseRequestSchema, ServerProbeSchema, ServerResourceKindSchema, ServerResourceSchema, ServerTestResultSchema, ServerUpdateSchema,
  ServerViewSchema, type ServerCreate, type ServerPauseRequest, type ServerProbe, type ServerResourceKind, type ServerUpdate,
} from '../../../../shared/servers.ts';
import type { ApiContext } from '../context.ts';

const AliasParams = Type.Object({ alias: Type.String({ minLength: 1, maxLength: 64 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };

export function registerServerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/servers', { config: { permission: 'read' }, schema: { tags: ['servers'], response: { 200: Type.Array(ServerViewSchema) } } }, async () => ctx.servers.list());

  app.post<{ Body: ServerCreate }>('/api/v1/servers', {
    config: { permission: 'admin' },
    schema: { tags: ['servers'], body: ServerCreateSchema, response: { 201: ServerViewSchema, ...errors } },
  }, async (request, reply) => reply.code(201).send(await ctx.servers.create(request.body)));

  app.post<{ Body: ServerProbe }>('/api/v1/servers/test', {
    config: { permission: 'admin' },
    schema: {
      tags: ['servers'], body: ServerProbeSchema,
      description: 'Tries a connection before it is saved: the same check as a saved server\'s test, nothing is stored.',
      response: { 200: ServerTestResultSchema, ...errors },
    },
  }, async (request) => ctx.servers.probe(request.body));

  app.get<{ Params: { alias: string } }>('/api/v1/servers/:alias', {
    config: { permission: 'read' },
    schema: { tags: ['servers'], params: AliasParams, response: { 200: ServerViewSchema, ...errors } },
  }, async (request) => ctx.servers.view(request.params.alias));

  app.put<{ Params: { alias: string }; Body: ServerUpdate }>('/api/v1/servers/:alias', {
    config: { permission: 'admin' },
    schema: { tags: ['servers'], params: AliasParams, body: ServerUpdateSchema, response: { 200: ServerViewSchema, ...errors } },
  }, async (request) => ctx.servers.update(request.params.alias, request.body));

  app.delete<{ Params: { alias: string } }>('/api/v1/servers/:alias', {
    config: { permission: 'admin' },
    schema: { tags: ['servers'], params: AliasParams, response: { 200: Type.Object({ deleted: Type.String() }), ...errors } },
  }, async (request) => {
    await ctx.servers.remove(request.params.alias);
    return { deleted: request.params.alias };
  });

  app.post<{ Params: { alias: string }; Body: ServerPauseRequest | undefined }>('/api/v1/servers/:alias/pause', {
    config: { permission: 'admin' },
    schema: {
      tags: ['servers'], params: AliasParams, body: Type.Optional(ServerPauseRequestSchema),
      description: 'Finishes the job the server runs and takes no new one (the other servers go on); unload: true also frees its GPU then.',
      response: { 200: ServerViewSchema, ...errors },
    },
  }, async (request) => ctx.servers.pause(request.params.alias, request.body ?? {}));

  app.post<{ Params: { alias: string } }>('/api/v1/servers/:alias/resume', {
    config: { permission: 'admin' },
    schema: { tags: ['servers'], params: AliasParams, response: { 200: ServerViewSchema, ...errors } },
  }, async (request) => ctx.servers.resume(request.params.alias));

  app.post<{ Params: { alias: string } }>('/api/v1/servers/:alias/test', {
    config: { permission: 'admin' },
    schema: { tags: ['servers'], params: AliasParams, response: { 200: ServerTestResultSchema, ...errors } },
  }, async (request) => ctx.servers.test(request.params.alias));

  app.get<{ Params: { alias: string; kind: ServerResourceKind } }>('/api/v1/servers/:alias/resources/:kind', {
    config: { permission: 'read' },
    schema: {
      tags: ['servers'],
      params: Type.Object({ alias: Type.String({ maxLength: 64 }), kind: ServerResourceKindSchema }),
      response: { 200: Type.Object({ items: Type.Array(ServerResourceSchema) }), ...errors, 502: ApiErrorSchema },
    },
  }, async (request) => ({ items: await ctx.servers.resources(request.params.alias, request.params.kind) }));
}
