import { describe, expect, it } from 'vitest';
import { createCloseToTray } from '../../../electron/main/close-to-tray.ts';

describe('close-to-tray state machine', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    it(`${platform}: closing hides to the tray until a quit begins`, () => {
      const machine = createCloseToTray({ trayAvailable: () => true, platform });
      expect(machine.quitting).toBe(false);
      expect(machine.onWindowClose()).toBe('hide');
      expect(machine.onWindowClose()).toBe('hide');
      expect(machine.shouldQuitWhenAllWindowsClosed()).toBe(false);
      expect(machine.shouldShowOnActivate()).toBe(true);

      machine.beginQuit();
      expect(machine.quitting).toBe(true);
      expect(machine.onWindowClose()).toBe('close');
      expect(machine.shouldQuitWhenAllWindowsClosed()).toBe(true);
      expect(machine.shouldShowOnActivate()).toBe(false);
    });
  }

  it('a cancelled quit goes back to hiding', () => {
    const machine = createCloseToTray({ trayAvailable: () => true, platform: 'linux' });
    machine.beginQuit();
    machine.cancelQuit();
    expect(machine.onWindowClose()).toBe('hide');
  });

  it('without a tray, Linux and Windows close (and quit) instead of hiding the window for good', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const machine = createCloseToTray({ trayAvailable: () => false, platform });
      expect(machine.onWindowClose()).toBe('close');
      expect(machine.shouldQuitWhenAllWindowsClosed()).toBe(true);
    }
  });

  it('follows the tray once it exists', () => {
    let tray = false;
    const machine = createCloseToTray({ trayAvailable: () => tray, platform: 'linux' });
    expect(machine.onWindowClose()).toBe('close');
    tray = true;
    expect(machine.onWindowClose()).toBe('hide');
  });

  it('macOS keeps the dock icon, so it still hides without a tray', () => {
    const machine = createCloseToTray({ trayAvailable: () => false, platform: 'darwin' });
    expect(machine.onWindowClose()).toBe('hide');
    expect(machine.shouldQuitWhenAllWindowsClosed()).toBe(false);
  });
});
