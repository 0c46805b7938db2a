/**
 * The engine inside the shell: started in-process on 127.0.0.1 with a per-launch token,
 * on the port it had last time when that is free (so the window's origin and its local
 * storage stay the same), and stopped before the app exits, giving running jobs the
 * grace period. When it cannot start, the user gets a dialog naming the data folder and
 * the log, and the app exits.
 */
import type { EngineConfig } from '../../engine/config.ts';
import type { Engine } from '../../engine/engine-types.ts';
import type { SecretStore } from '../../engine/secrets/secret-store.ts';
import { choosePort, createLaunchToken } from '../engine-access.ts';
import type { ShellContext } from '../shell-context.ts';

export const ENGINE_SHUTDOWN_GRACE_MS = 5_000;

export interface EngineHostContext extends ShellContext {
  createEngine(config: EngineConfig): Engine;
  createSecretStore(): Promise<SecretStore>;
  /** Where SIGINT/SIGTERM are listened to (the process; a fake in tests). */
  readonly signals: Pick<NodeJS.Process, 'on'>;
}

export interface EngineHost {
  readonly engine: Engine;
  /** The engine's origin, e.g. http://127.0.0.1:51234: the only origin the window may show. */
  readonly origin: string;
  /** The per-launch token the window's API client sends. */
  readonly token: string;
}

/** Resolves to the running engine, or null when it could not start (the app is exiting then). */
export async function enable(context: EngineHostContext): Promise<EngineHost | null> {
  const { electron: { app, dialog }, paths, prefs, logger } = context;
  let engine: Engine | null = null;
  let stopped = false;

  app.on('will-quit', (event) => {
    if (stopped || !engine) return;
    event.preventDefault();
    const running = engine;
    engine = null;
    void running.stop()
      .catch((error: unknown) => logger.error({ err: error }, 'engine stop failed'))
      .finally(() => { stopped = true; logger.flush(); app.quit(); });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) context.signals.on(signal, () => app.quit());

  await app.whenReady();
  const token = createLaunchToken();
  try {
    const created = context.createEngine({
      dataDir: paths.dataDir,
      outputsDir: paths.outputsDir,
      checkpointPath: paths.checkpointPath,
      loraPath: paths.loraPath,
      galleryImportPaths: paths.galleryImportPaths,
      host: '127.0.0.1',
      port: await choosePort(prefs.get('lastPort')),
      uiDir: paths.uiDir,
      logger,
      secretStore: await context.createSecretStore(),
      launchToken: token,
      shutdownGraceMs: ENGINE_SHUTDOWN_GRACE_MS,
    });
    engine = created;
    const started = await created.start();
    const origin = new URL(started.url).origin;
    prefs.set('lastPort', started.port);
    logger.info({ dir: 'shell', url: origin, dataDir: paths.dataDir }, 'engine started');
    return { engine: created, origin, token };
  } catch (error) {
    logger.error({ err: error }, 'engine failed to start');
    await engine?.stop().catch(() => undefined);
    engine = null;
    stopped = true;
    logger.flush();
    dialog.showErrorBox('StableQueue could not start', `${(error as Error).message}\n\nData folder: ${paths.dataDir}\nLog: ${paths.logFile}`);
    app.exit(1);
    return null;
  }
}
