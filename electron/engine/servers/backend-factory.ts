import { ForgeBackend } from '../backends/forge/forge-backend.ts';
import type { Backend, ServerConnection } from '../backends/types.ts';

export type BackendFactory = (server: ServerConnection) => Backend;

const factories: Partial<Record<ServerConnection['appType'], BackendFactory>> = {
  forge: (server) => new ForgeBackend(server),
};

/** Lets an app type register its adapter (ComfyUI registers itself beside Forge). */
export function registerBackend(appType: ServerConnection['appType'], factory: BackendFactory): void {
  factories[appType] = factory;
}

export function createBackend(server: ServerConnection): Backend {
  const factory = factories[server.appType];
  if (!factory) throw new Error(`no backend for app type ${server.appType}`);
  return factory(server);
}
