import type { EngineModule } from './engine-module.ts';
import { createComfyModule } from './backends/comfyui/module.ts';
import { createSecurityModule } from './security/module.ts';
import { createModelsModule } from './models/module.ts';
import { createCompatModule } from './compat/module.ts';
import { createNotifyModule } from './notify/module.ts';
import { createBatchesModule } from './batches/module.ts';
import { createGenerateLibraryModule } from './generate-library/module.ts';
import { createGalleryModule } from './api/gallery-module.ts';

/** The engine's optional parts, in the order their hooks run (security first). */
export function createEngineModules(): EngineModule[] {
  return [createSecurityModule(), createComfyModule(), createModelsModule(), createCompatModule(), createNotifyModule(), createBatchesModule(), createGenerateLibraryModule(), createGalleryModule()];
}
