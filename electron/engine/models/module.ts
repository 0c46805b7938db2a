import type { EngineModule } from '../engine-module.ts';

/** Local model library scan and the Civitai client and downloads. */
export function createModelsModule(): EngineModule {
  return { name: 'models' };
}
