import type { RouteRegistrar } from './api/app.ts';
import type { ApiContext } from './api/context.ts';

/**
 * A part that plugs into the engine (request security, ComfyUI, model library, Civitai).
 * Each engine instance gets fresh module instances, so tests can run several engines.
 */
export interface EngineModule {
  readonly name: string;
  /** Runs after the core is up, before servers load and the API is built. */
  init?(ctx: ApiContext): void | Promise<void>;
  /** Fastify registrars run before the core routes (request policy, authentication). */
  before?: RouteRegistrar[];
  /** Extra routes. */
  routes?: RouteRegistrar[];
  /** Runs when the engine stops, after the dispatcher. */
  stop?(): void | Promise<void>;
}
