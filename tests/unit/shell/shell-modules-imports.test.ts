/**
 * The desktop shell's pieces do nothing when imported: only electron/main/index.ts takes
 * Electron's values and starts things; every other file gets Electron from the context
 * its `enable` is called with. Here every file under electron/main but index.ts is
 * imported with 'electron' and 'electron-store' set to throw when loaded, and the process
 * must come out with no new signal or exit listeners.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => { throw new Error('loaded electron'); });
vi.mock('electron-store', () => { throw new Error('loaded electron-store'); });

const MAIN_DIR = path.join(import.meta.dirname, '../../../electron/main');

function shellFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return shellFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const watched = ['SIGINT', 'SIGTERM', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection'] as const;
const listenerCounts = () => Object.fromEntries(watched.map((name) => [name, process.listenerCount(name)]));

describe('electron/main: no import-time side effects', () => {
  it('the check can fail: index.ts does load electron', async () => {
    const error = await import('../../../electron/main/index.ts').then(() => null, (failure: unknown) => failure as Error);
    // Vitest wraps a throwing mock factory's error; ours is its cause.
    expect(`${error?.message} ${(error?.cause as Error | undefined)?.message}`).toMatch(/loaded electron/);
  });

  it('every module and helper imports without loading Electron or hooking the process', async () => {
    const files = shellFiles(MAIN_DIR).filter((file) => path.basename(file) !== 'index.ts' || path.dirname(file) !== MAIN_DIR);
    expect(files.map((file) => path.relative(MAIN_DIR, file))).toEqual(expect.arrayContaining([
      path.join('modules', 'engine-host.ts'), path.join('modules', 'main-window.ts'), path.join('modules', 'tray.ts'),
      path.join('modules', 'notifications.ts'), path.join('modules', 'desktop-bridge.ts'), path.join('modules', 'app-instance.ts'),
    ]));
    const before = listenerCounts();
    for (const file of files) {
      await expect(import(file), path.relative(MAIN_DIR, file)).resolves.toBeTypeOf('object');
    }
    expect(listenerCounts()).toEqual(before);
  });
});
