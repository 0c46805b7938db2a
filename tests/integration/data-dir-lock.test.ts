import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort, startHeadless } from '../helpers/headless-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

describe('one StableQueue per data folder', () => {
  it('refuses a second server on the same data dir, and the lock goes with a killed process', async () => {
    const tmp = makeTempDir('sq-lock-');
    const first = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
    try {
      const second = spawnSync(process.execPath, ['electron/headless.ts'], {
        env: { ...process.env, STABLEQUEUE_DATA_DIR: tmp.dir, PORT: String(await freePort()), HOST: '127.0.0.1', LOG_FORMAT: 'json' },
        encoding: 'utf8', timeout: 20_000,
      });
      expect(second.status).toBe(1);
      expect(second.stdout + second.stderr).toContain('Another StableQueue is already running with the data folder');
      expect((await fetch(`${first.url}/api/v1/health`)).ok).toBe(true);
      await first.kill9();
      const third = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir });
      expect((await fetch(`${third.url}/api/v1/health`)).ok).toBe(true);
      await third.terminate();
    } finally {
      if (first.child.exitCode === null) await first.kill9();
      tmp.cleanup();
    }
  });
});
