/**
 * The A1111- and ComfyUI-compatible facades as an engine module: adapters over the job
 * service (they create and follow normal queue jobs; no queue logic of their own).
 */
import type { ApiContext } from '../api/context.ts';
import type { EngineModule } from '../engine-module.ts';
import { registerA1111Facade } from './a1111/a1111-facade.ts';
import { CallerOptions } from './caller-options.ts';
import { registerComfyFacade } from './comfyui/comfy-facade.ts';
import { ComfyWsRelay } from './comfyui/comfy-ws-relay.ts';
import type { CompatContext } from './compat-context.ts';
import { CompatJobs } from './compat-jobs.ts';

export function createCompatModule(): EngineModule {
  let compat: CompatContext | null = null;
  let relay: ComfyWsRelay | null = null;
  const need = (): CompatContext => {
    if (!compat) throw new Error('compat module used before init');
    return compat;
  };
  return {
    name: 'compat',
    init(ctx: ApiContext) {
      compat = { ctx, jobs: new CompatJobs(ctx.db), options: new CallerOptions() };
      relay = new ComfyWsRelay(compat);
    },
    routes: [
      (app) => registerA1111Facade(app, need()),
      (app) => registerComfyFacade(app, need(), relay as ComfyWsRelay),
    ],
    stop() {
      relay?.close();
      relay = null;
      compat = null;
    },
  };
}
