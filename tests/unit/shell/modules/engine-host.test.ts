import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineConfig } from '../../../../electron/engine/config.ts';
import type { Engine } from '../../../../electron/engine/engine-types.ts';
import { enable, ENGINE_SHUTDOWN_GRACE_MS, type EngineHostContext } from '../../../../electron/main/modules/engine-host.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';
import { APP_ORIGIN, fakeElectronState, fakeEngine, fakeShellContext, type FakeElectronState } from '../fake-shell.ts';

describe('engine host module', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let state: FakeElectronState;
  beforeEach(() => { tmp = makeTempDir('sq-host-'); state = fakeElectronState(tmp.dir); });
  afterEach(() => tmp.cleanup());

  function setup(engine = fakeEngine()) {
    const { context, electron, prefs } = fakeShellContext(state);
    const configs: EngineConfig[] = [];
    const signals = new Map<string, () => void>();
    // Only handed through to the engine: any object does.
    const secretStore = { kind: 'memory' } as unknown as Awaited<ReturnType<EngineHostContext['createSecretStore']>>;
    const hostContext: EngineHostContext = {
      ...context,
      createEngine: (config) => { configs.push(config); return engine as unknown as Engine; },
      createSecretStore: async () => secretStore,
      signals: { on: ((signal: string, listener: () => void) => { signals.set(signal, listener); }) as never },
    };
    return { hostContext, electron, prefs, configs, signals, engine, secretStore };
  }

  it('starts the engine in-process on 127.0.0.1 with the desktop folders and a per-launch token', async () => {
    const { hostContext, prefs, configs, engine, secretStore } = setup();
    const host = await enable(hostContext);
    expect(host).not.toBeNull();
    expect(engine.start).toHaveBeenCalledOnce();
    const config = configs[0]!;
    expect(config).toMatchObject({
      host: '127.0.0.1',
      dataDir: hostContext.paths.dataDir,
      outputsDir: hostContext.paths.outputsDir,
      galleryImportPaths: hostContext.paths.galleryImportPaths,
      uiDir: hostContext.paths.uiDir,
      shutdownGraceMs: ENGINE_SHUTDOWN_GRACE_MS,
    });
    expect(config.secretStore).toBe(secretStore);
    expect(config.launchToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(host!.token).toBe(config.launchToken);
    expect(host!.origin).toBe(APP_ORIGIN);
    // The port is kept, so next launch the window has the same origin (and local storage).
    expect(prefs.get('lastPort')).toBe(45678);
  });

  it('a quit stops the engine first (with its grace period), then quits for real', async () => {
    const { hostContext, engine } = setup();
    await enable(hostContext);
    const willQuit = { preventDefault: vi.fn() };
    hostContext.electron.app.emit('will-quit', willQuit);
    expect(willQuit.preventDefault).toHaveBeenCalledOnce();
    expect(engine.stop).toHaveBeenCalledOnce();
    await vi.waitFor(() => { expect(state.quit).toBe(1); });
    const again = { preventDefault: vi.fn() };
    hostContext.electron.app.emit('will-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
    expect(engine.stop).toHaveBeenCalledOnce();
  });

  it('SIGINT and SIGTERM quit the app (through the same engine stop)', async () => {
    const { hostContext, signals } = setup();
    await enable(hostContext);
    expect([...signals.keys()].sort()).toEqual(['SIGINT', 'SIGTERM']);
    signals.get('SIGTERM')!();
    expect(state.quit).toBe(1);
  });

  it('an engine that cannot start: a dialog naming the data folder and the log, exit code 1', async () => {
    const engine = fakeEngine();
    engine.start.mockRejectedValueOnce(new Error('database is locked by another StableQueue'));
    const { hostContext } = setup(engine);
    expect(await enable(hostContext)).toBeNull();
    expect(engine.stop).toHaveBeenCalledOnce();
    expect(state.errorBoxes).toHaveLength(1);
    const [title, body] = state.errorBoxes[0]!;
    expect(title).toBe('StableQueue could not start');
    expect(body).toContain('database is locked by another StableQueue');
    expect(body).toContain(hostContext.paths.dataDir);
    expect(body).toContain(hostContext.paths.logFile);
    expect(state.exitCodes).toEqual([1]);
    // Nothing left to stop at quit.
    const willQuit = { preventDefault: vi.fn() };
    hostContext.electron.app.emit('will-quit', willQuit);
    expect(willQuit.preventDefault).not.toHaveBeenCalled();
  });
});
