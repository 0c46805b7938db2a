import type { EngineModule } from '../engine-module.ts';

/** Request policy (Host/Origin/CORS), API keys, login and rate limits. */
export function createSecurityModule(): EngineModule {
  return { name: 'security' };
}
