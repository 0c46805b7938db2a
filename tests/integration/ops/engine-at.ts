import { createEngine, type Engine, type EngineConfig } from '../../../electron/engine/index.ts';
import { silentLogger } from '../../../electron/engine/logger.ts';
import { MemorySecretStore } from '../../../electron/engine/secrets/secret-store.ts';

/** A real engine on a given data folder (so a test can stop it, damage its files and start again). */
export async function startEngineAt(dataDir: string, overrides: Partial<EngineConfig> = {}): Promise<{ engine: Engine; url: string }> {
  const engine = createEngine({
    dataDir, port: 0, host: '127.0.0.1', uiDir: null, logger: silentLogger(), secretStore: new MemorySecretStore(),
    shutdownGraceMs: 500, ...overrides,
  });
  const { url } = await engine.start();
  return { engine, url };
}
