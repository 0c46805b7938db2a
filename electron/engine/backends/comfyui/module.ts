import type { EngineModule } from '../../engine-module.ts';
import { ComfyBackend } from './comfy-backend.ts';

/**
 * ComfyUI support: registers the ComfyUI backend beside Forge. Reattaching after a restart
 * needs nothing more here: the job store keeps a processing job's prompt_id and pins it
 * to its server, and ComfyBackend.run() follows that prompt instead of queueing it again.
 */
export function createComfyModule(): EngineModule {
  return {
    name: 'comfyui',
    init(ctx) {
      ctx.backends.register('comfyui', (server) => new ComfyBackend(server, { logger: ctx.logger.child({ alias: server.alias }) }));
    },
  };
}
