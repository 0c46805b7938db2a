/**
 * The A1111- and ComfyUI-compatible facades as an engine module: adapters over the job
 * service (they create and follow normal queue jobs; no queue logic of their own).
 */
import type { ApiContext } from '../api/context.ts';
import type { EngineModule } from '../engine-module.ts';
import type { FastifyInstance } from 'fastify';
import { A1111_PREFIX, registerA1111Facade } from './a1111/a1111-facade.ts';
import { CallerOptions } from './caller-options.ts';
import { COMFYUI_PREFIX, registerComfyFacade } from './comfyui/comfy-facade.ts';
import { ComfyWsRelay } from './comfyui/comfy-ws-relay.ts';
import type { CompatContext } from './compat-context.ts';
import { CompatJobs } from './compat-jobs.ts';
import { listenOnOwnPort, type OwnPort } from './own-port.ts';

/** The configured own ports: each serves one facade without its path prefix. */
function listenOnOwnPorts(app: FastifyInstance, ctx: ApiContext): void {
  const wanted = [
    { prefix: A1111_PREFIX, port: ctx.config.a1111CompatPort },
    { prefix: COMFYUI_PREFIX, port: ctx.config.comfyuiCompatPort },
  ];
  const open: OwnPort[] = [];
  app.addHook('onReady', async () => {
    for (const { prefix, port } of wanted) {
      if (port === null) continue;
      const listening = await listenOnOwnPort(app, prefix, ctx.config.host, port);
      open.push(listening);
      ctx.logger.info({ prefix, port: listening.port }, `${prefix} also answers on its own port`);
    }
  });
  app.addHook('onClose', async () => {
    await Promise.all(open.map((p) => p.close()));
  });
}

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
      (app, ctx) => listenOnOwnPorts(app, ctx),
    ],
    stop() {
      relay?.close();
      relay = null;
      compat = null;
    },
  };
}
