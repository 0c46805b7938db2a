/**
 * The ComfyUI-compatible API: ComfyUI's routes (also under /api, as ComfyUI serves them)
 * and its websocket, over StableQueue's queue, so ComfyUI scripts and apps get the queue,
 * every ComfyUI server and the gallery by pointing at `<StableQueue>/compat/comfyui`.
 */
import fastifyMultipart from '@fastify/multipart';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../../../shared/limits.ts';
import type { CompatContext } from '../compat-context.ts';
import { registerComfyFileRoutes } from './comfy-file-routes.ts';
import { registerComfyInfoRoutes } from './comfy-info-routes.ts';
import { registerComfyPromptRoutes } from './comfy-prompt-routes.ts';
import { ComfyUploads } from './comfy-uploads.ts';
import type { ComfyWsRelay } from './comfy-ws-relay.ts';

export const COMFYUI_PREFIX = '/compat/comfyui';

export async function registerComfyFacade(app: FastifyInstance, compat: CompatContext, relay: ComfyWsRelay): Promise<void> {
  const uploads = new ComfyUploads(compat.ctx);
  await app.register(async (outer) => {
    await outer.register(fastifyWebsocket);
    // An upgrade refused before the plugin saw it (the request guard answers 401/403 first)
    // still holds its raw socket: end it with the answer, or shutdown would wait for it.
    outer.addHook('onResponse', async (request) => {
      if (String(request.headers.upgrade ?? '').toLowerCase() === 'websocket') request.raw.socket?.destroy();
    });
    await outer.register(fastifyMultipart, { limits: { fileSize: LIMITS.bodyBytes, files: 2, fields: 10 } });
    for (const prefix of [COMFYUI_PREFIX, `${COMFYUI_PREFIX}/api`]) {
      await outer.register(async (scope) => {
        // ComfyUI reads every body as JSON whatever its Content-Type; its own script
        // examples post with urllib's default (application/x-www-form-urlencoded).
        scope.addContentTypeParser(['application/x-www-form-urlencoded', 'text/plain'], { parseAs: 'string' }, scope.getDefaultJsonParser('error', 'error'));
        registerComfyPromptRoutes(scope, compat, uploads);
        registerComfyFileRoutes(scope, compat, uploads);
        registerComfyInfoRoutes(scope, compat);
        scope.get<{ Querystring: { clientId?: string } }>('/ws', { websocket: true, config: { permission: 'read' }, schema: { hide: true } }, (socket, request) => {
          relay.attach(socket, request.query.clientId);
        });
      }, { prefix });
    }
  });
}
