import { createEngine, type Engine, type EngineConfig } from '../../electron/engine/index.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { MemorySecretStore } from '../../electron/engine/secrets/secret-store.ts';
import { makeTempDir } from './temp-dir.ts';

export interface TestEngine {
  engine: Engine;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** A real engine in-process: temp data dir, free port, no UI, silent logs, secrets in memory. */
export async function startTestEngine(overrides: Partial<EngineConfig> = {}): Promise<TestEngine> {
  const tmp = makeTempDir('sq-engine-');
  const engine = createEngine({
    dataDir: tmp.dir, port: 0, host: '127.0.0.1', uiDir: null, logger: silentLogger(),
    secretStore: new MemorySecretStore(), shutdownGraceMs: 500, ...overrides,
  });
  const { url } = await engine.start();
  return {
    engine, url, dataDir: tmp.dir,
    async stop() {
      await engine.stop();
      tmp.cleanup();
    },
  };
}
