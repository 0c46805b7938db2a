import type { EngineModule } from '../../engine-module.ts';

/** ComfyUI support: registers the ComfyUI backend and reattaches prompts after a restart. */
export function createComfyModule(): EngineModule {
  return { name: 'comfyui' };
}
