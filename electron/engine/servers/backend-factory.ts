import type { AppType } from '../../../shared/servers.ts';
import { ForgeBackend } from '../backends/forge/forge-backend.ts';
import type { Backend, ServerConnection } from '../backends/types.ts';

export type BackendConstructor = (server: ServerConnection) => Backend;

/**
 * Which adapter talks to each app type, owned by one engine instance (two engines in one
 * process, as tests run them, never share or overwrite each other's adapters). Forge is
 * built in; the ComfyUI module registers its adapter when it starts.
 */
export class BackendFactory {
  readonly #constructors: Partial<Record<AppType, BackendConstructor>> = {
    forge: (server) => new ForgeBackend(server),
  };

  register(appType: AppType, create: BackendConstructor): void {
    this.#constructors[appType] = create;
  }

  create(server: ServerConnection): Backend {
    const create = this.#constructors[server.appType];
    if (!create) throw new Error(`no backend for app type ${server.appType}`);
    return create(server);
  }
}
