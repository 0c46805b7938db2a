import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import {
  ServerCreateSchema, ServerResourceKindSchema, ServerResourceSchema, ServerTestResultSchema, ServerUpdateSchema,
  ServerViewSchema, type ServerCreate, type ServerResourceKind, type ServerUpdate,
} from '../../../../shared/servers.ts';
import { BackendError } from '../../backends/types.ts';
import { SECRET_NAMES } from '../../security/secret-store.ts';
import { ServerUrlError, validateServerUrl } from '../../security/server-url.ts';
import type { ServerFields } from '../../servers/server-store.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

const AliasParams = Type.Object({ alias: Type.String({ minLength: 1, maxLength: 64 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };

export function registerServerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const find = (alias: string) => {
    const server = ctx.registry.get(alias);
    if (!server) throw new ApiError(404, 'server_not_found', `No server named "${alias}".`);
    return server;
  };
  const checkedUrl = async (url: string) => {
    try {
      return await validateServerUrl(url);
    } catch (error) {
      if (error instanceof ServerUrlError) throw new ApiError(400, 'invalid_server_url', error.message);
      throw error;
    }
  };
  const savePassword = async (alias: string, password: string | null | undefined) => {
    if (password === undefined) return;
    if (password === null || password === '') await ctx.secrets.delete(SECRET_NAMES.serverPassword(alias));
    else await ctx.secrets.set(SECRET_NAMES.serverPassword(alias), password);
  };

  app.get('/api/v1/servers', { schema: { tags: ['servers'], response: { 200: Type.Array(ServerViewSchema) } } }, async () =>
    Promise.all(ctx.registry.all().map((s) => ctx.registry.viewAsync(s))));

  app.post<{ Body: ServerCreate }>('/api/v1/servers', {
    schema: { tags: ['servers'], body: ServerCreateSchema, response: { 201: ServerViewSchema, ...errors } },
  }, async (request, reply) => {
    const body = request.body;
    const alias = body.alias.trim();
    if (alias.toLowerCase() === 'auto') throw new ApiError(400, 'reserved_alias', '"auto" is reserved for automatic routing; pick another alias.');
    if (ctx.serverStore.get(alias)) throw new ApiError(409, 'server_exists', `A server named "${alias}" already exists.`);
    const fields: ServerFields = {
      alias, app_type: body.app_type, api_url: await checkedUrl(body.api_url), username: body.username || null,
      max_concurrency: body.max_concurrency ?? 1, enabled: body.enabled ?? true,
    };
    await savePassword(alias, body.password);
    ctx.serverStore.insert(fields);
    await ctx.registry.reload(alias);
    return reply.code(201).send(await ctx.registry.viewAsync(find(alias)));
  });

  app.get<{ Params: { alias: string } }>('/api/v1/servers/:alias', {
    schema: { tags: ['servers'], params: AliasParams, response: { 200: ServerViewSchema, ...errors } },
  }, async (request) => ctx.registry.viewAsync(find(request.params.alias)));

  app.put<{ Params: { alias: string }; Body: ServerUpdate }>('/api/v1/servers/:alias', {
    schema: { tags: ['servers'], params: AliasParams, body: ServerUpdateSchema, response: { 200: ServerViewSchema, ...errors } },
  }, async (request) => {
    const current = find(request.params.alias).row;
    const body = request.body;
    const alias = body.alias?.trim() ?? current.alias;
    if (alias !== current.alias) {
      if (alias.toLowerCase() === 'auto') throw new ApiError(400, 'reserved_alias', '"auto" is reserved for automatic routing.');
      if (ctx.serverStore.get(alias)) throw new ApiError(409, 'server_exists', `A server named "${alias}" already exists.`);
    }
    const fields: ServerFields = {
      alias,
      app_type: body.app_type ?? current.app_type,
      api_url: body.api_url !== undefined ? await checkedUrl(body.api_url) : current.api_url,
      username: body.username !== undefined ? body.username || null : current.username,
      max_concurrency: body.max_concurrency ?? current.max_concurrency,
      enabled: body.enabled ?? current.enabled === 1,
    };
    if (alias !== current.alias) {
      const old = await ctx.secrets.get(SECRET_NAMES.serverPassword(current.alias));
      if (old !== null && body.password === undefined) await ctx.secrets.set(SECRET_NAMES.serverPassword(alias), old);
      await ctx.secrets.delete(SECRET_NAMES.serverPassword(current.alias));
    }
    await savePassword(alias, body.password);
    ctx.serverStore.update(current.alias, fields);
    await ctx.registry.reload(alias, current.alias);
    ctx.dispatcher.kick();
    return ctx.registry.viewAsync(find(alias));
  });

  app.delete<{ Params: { alias: string } }>('/api/v1/servers/:alias', {
    schema: { tags: ['servers'], params: AliasParams, response: { 200: Type.Object({ deleted: Type.String() }), ...errors } },
  }, async (request) => {
    const server = find(request.params.alias);
    if (server.running > 0) throw new ApiError(409, 'server_busy', `Server "${server.row.alias}" is running ${server.running} job(s); cancel them or wait before deleting it.`);
    ctx.serverStore.delete(server.row.alias);
    await ctx.secrets.delete(SECRET_NAMES.serverPassword(server.row.alias));
    ctx.registry.remove(server.row.alias);
    return { deleted: server.row.alias };
  });

  app.post<{ Params: { alias: string } }>('/api/v1/servers/:alias/test', {
    schema: { tags: ['servers'], params: AliasParams, response: { 200: ServerTestResultSchema, ...errors } },
  }, async (request) => {
    const server = find(request.params.alias);
    const started = performance.now();
    const report = await server.backend.checkHealth(AbortSignal.timeout(10_000));
    const latency = Math.round(performance.now() - started);
    if (server.row.enabled) await ctx.registry.check(server.row.alias);
    return {
      ok: report.online,
      status: report.online ? (report.busy ? 'busy' : 'online') : 'offline',
      message: report.online ? `Connected in ${latency} ms${report.loadedCheckpoint ? `; loaded: ${report.loadedCheckpoint}` : ''}` : report.message,
      latency_ms: report.online ? latency : null,
      loaded_checkpoint: report.loadedCheckpoint,
      version: report.version,
    } as const;
  });

  app.get<{ Params: { alias: string; kind: ServerResourceKind } }>('/api/v1/servers/:alias/resources/:kind', {
    schema: {
      tags: ['servers'],
      params: Type.Object({ alias: Type.String({ maxLength: 64 }), kind: ServerResourceKindSchema }),
      response: { 200: Type.Object({ items: Type.Array(ServerResourceSchema) }), ...errors, 502: ApiErrorSchema },
    },
  }, async (request, reply) => {
    const server = find(request.params.alias);
    try {
      const items = await server.backend.listResources(request.params.kind, AbortSignal.timeout(15_000));
      return { items: items.slice(0, 20_000) };
    } catch (error) {
      const message = error instanceof BackendError ? error.message : (error as Error).message;
      return reply.code(502).send({ error: 'server_unavailable', message: `Could not read ${request.params.kind} from "${server.row.alias}": ${message}` });
    }
  });
}
