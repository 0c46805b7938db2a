import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ID, enable } from '../../../../electron/main/modules/app-instance.ts';
import { fakeElectron, fakeElectronState } from '../fake-shell.ts';

describe('app instance module', () => {
  it('names the data folder StableQueue before taking the single-instance lock', () => {
    const state = fakeElectronState('/tmp/sq');
    const { app } = fakeElectron(state);
    expect(enable({ app, platform: 'linux' })).toBe(true);
    expect(app.getPath('userData')).toBe(path.join('/tmp/sq', 'appData', 'StableQueue'));
    expect(state.quit).toBe(0);
    expect(app.setAppUserModelId).not.toHaveBeenCalled();
  });

  it('a second instance quits at once and tells the caller to start nothing', () => {
    const state = fakeElectronState('/tmp/sq');
    state.lock = false;
    const { app } = fakeElectron(state);
    expect(enable({ app, platform: 'linux' })).toBe(false);
    expect(state.quit).toBe(1);
  });

  it('on Windows, notifications are grouped under the app id', () => {
    const { app } = fakeElectron(fakeElectronState('/tmp/sq'));
    enable({ app, platform: 'win32' });
    expect(app.setAppUserModelId).toHaveBeenCalledWith(APP_ID);
  });
});
