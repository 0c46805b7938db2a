import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { enable } from '../../../../electron/main/modules/tray.ts';
import { QUEUE_REFRESH_DELAY_MS } from '../../../../electron/main/queue-watch.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';
import { fakeElectronState, fakeEngine, fakeHost, fakeShellContext, type FakeElectronState } from '../fake-shell.ts';

describe('tray module', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let state: FakeElectronState;
  beforeEach(() => { tmp = makeTempDir('sq-tray-'); state = fakeElectronState(tmp.dir); });
  afterEach(() => { vi.useRealTimers(); tmp.cleanup(); });

  function setup(engine = fakeEngine(`${tmp.dir}/outputs`)) {
    const { context, electron } = fakeShellContext(state);
    const window = { show: vi.fn() };
    const available = enable({ ...context, host: fakeHost(engine), window });
    return { available, electron, engine, window };
  }
  const menuItem = (id: string) => state.trays[0]!.menu!.template.find((item: { id?: string }) => item.id === id);

  it('shows the counts and pauses the queue', () => {
    const { available, engine } = setup();
    expect(available).toBe(true);
    expect(state.trays[0]!.tooltip).toBe('StableQueue: 2 pending, 1 running');
    const pause = menuItem('pause');
    expect(pause.label).toBe('Pause queue');
    pause.click();
    expect(engine.isPaused()).toBe(true);
  });

  it('follows the queue shortly after job and queue events, once per burst, not on progress ticks', () => {
    vi.useFakeTimers();
    const { engine } = setup();
    engine.counts = { pending: 0, processing: 1 };
    engine.emit({ type: 'job.progress', job_id: 'j', progress: 50, eta_seconds: 1, step: 5, steps: 10, has_preview: false });
    vi.advanceTimersByTime(QUEUE_REFRESH_DELAY_MS * 2);
    expect(state.trays[0]!.tooltip).toBe('StableQueue: 2 pending, 1 running');
    engine.emit({ type: 'job.deleted', job_id: 'a' });
    engine.emit({ type: 'queue.state', paused: false, counts: engine.counts });
    vi.advanceTimersByTime(QUEUE_REFRESH_DELAY_MS - 1);
    expect(state.trays[0]!.tooltip).toBe('StableQueue: 2 pending, 1 running');
    vi.advanceTimersByTime(1);
    expect(state.trays[0]!.tooltip).toBe('StableQueue: 0 pending, 1 running');
  });

  it('opens the window and the outputs folder (made first if missing), and quits', async () => {
    const { window } = setup();
    menuItem('open').click();
    expect(window.show).toHaveBeenCalledOnce();
    menuItem('outputs').click();
    await vi.waitFor(() => { expect(state.openedPaths).toEqual([`${tmp.dir}/outputs`]); });
    expect(fs.existsSync(`${tmp.dir}/outputs`)).toBe(true);
    menuItem('quit').click();
    expect(state.quit).toBe(1);
  });

  it('no system tray: says so and reports none (closing the window will quit)', () => {
    const { context, electron } = fakeShellContext(state);
    (electron as { Tray: unknown }).Tray = class { constructor() { throw new Error('no StatusNotifier host'); } };
    expect(enable({ ...context, host: fakeHost(), window: { show: vi.fn() } })).toBe(false);
  });
});
