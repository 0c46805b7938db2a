/**
 * The Generate page's library as an engine module: prompt styles, ComfyUI templates and
 * form presets (their stores and routes), server capabilities, and the submit step that
 * fills in templates and applies styles for every client.
 */
import type { EngineModule } from '../engine-module.ts';
import { registerCapabilityRoutes } from './api/capability-routes.ts';
import { registerPresetRoutes } from './api/preset-routes.ts';
import { registerStyleRoutes } from './api/style-routes.ts';
import { registerTemplateRoutes } from './api/template-routes.ts';
import { PresetStore } from './preset-store.ts';
import { prepareRequest } from './prepare-request.ts';
import { StyleStore } from './style-store.ts';
import { TemplateStore } from './template-store.ts';

export function createGenerateLibraryModule(): EngineModule {
  let stores: { styles: StyleStore; templates: TemplateStore; presets: PresetStore } | null = null;
  const need = () => {
    if (!stores) throw new Error('generate library used before init');
    return stores;
  };
  return {
    name: 'generate-library',
    init(ctx) {
      stores = { styles: new StyleStore(ctx.db, ctx.clock), templates: new TemplateStore(ctx.db, ctx.clock), presets: new PresetStore(ctx.db, ctx.clock) };
      const { styles, templates } = stores;
      ctx.service.addRequestPreparer((request) => prepareRequest(request, { styles, templates }));
    },
    routes: [
      (app) => registerStyleRoutes(app, need().styles),
      (app) => registerTemplateRoutes(app, need().templates),
      (app) => registerPresetRoutes(app, need().presets),
      (app, ctx) => registerCapabilityRoutes(app, ctx),
    ],
  };
}
