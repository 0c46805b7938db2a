import { describe, expect, it, vi } from 'vitest';
import { TrayController } from '../../../electron/main/tray-controller.ts';
import { buildTrayModel, type TrayActions } from '../../../electron/main/tray-menu.ts';

function actions() {
  return {
    openWindow: vi.fn<() => void>(),
    togglePause: vi.fn<() => void>(),
    openOutputsFolder: vi.fn<() => void>(),
    quit: vi.fn<() => void>(),
  } satisfies TrayActions;
}

const labels = (model: ReturnType<typeof buildTrayModel>) => model.menu.map((item) => item.label ?? `--${item.type}--`);

describe('tray menu', () => {
  it('shows pending and running counts (running = processing + downloading_resources)', () => {
    const model = buildTrayModel(
      { counts: { pending: 4, processing: 1, downloading_resources: 2, completed: 9, failed: 1, cancelled: 0 }, paused: false },
      actions(),
    );
    expect(labels(model)).toEqual([
      'Pending: 4',
      'Running: 3',
      '--separator--',
      'Open StableQueue',
      'Pause queue',
      'Open outputs folder',
      '--separator--',
      'Quit StableQueue',
    ]);
    expect(model.tooltip).toBe('StableQueue: 4 pending, 3 running');
    expect(model.menu[0]!.enabled).toBe(false);
    expect(model.menu[1]!.enabled).toBe(false);
  });

  it('names held jobs beside the pending ones without counting them as pending', () => {
    const model = buildTrayModel({ counts: { pending: 1, held: 3 }, paused: false }, actions());
    expect(labels(model)[0]).toBe('Pending: 1 (3 held)');
    expect(model.tooltip).toBe('StableQueue: 1 pending, 0 running');
  });

  it('offers Resume when paused and says so in the tooltip', () => {
    const model = buildTrayModel({ counts: { pending: 2 }, paused: true }, actions());
    expect(labels(model)).toContain('Resume queue');
    expect(labels(model)).not.toContain('Pause queue');
    expect(labels(model)).toContain('Running: 0 (queue paused)');
    expect(model.tooltip).toBe('StableQueue: 2 pending, 0 running (paused)');
  });

  it('treats missing statuses as zero', () => {
    expect(buildTrayModel({ counts: {}, paused: false }, actions()).tooltip).toBe('StableQueue: 0 pending, 0 running');
  });

  it('wires each item to its action', () => {
    const a = actions();
    const model = buildTrayModel({ counts: {}, paused: false }, a);
    const click = (id: string) => model.menu.find((item) => item.id === id)!.click!();
    click('open');
    click('pause');
    click('outputs');
    click('quit');
    expect(a.openWindow).toHaveBeenCalledOnce();
    expect(a.togglePause).toHaveBeenCalledOnce();
    expect(a.openOutputsFolder).toHaveBeenCalledOnce();
    expect(a.quit).toHaveBeenCalledOnce();
  });

  it('the controller updates the tray only when what it shows changes', () => {
    const tray = { setToolTip: vi.fn(), setContextMenu: vi.fn() };
    const buildMenu = vi.fn((template: unknown) => ({ built: template }));
    const controller = new TrayController(tray, buildMenu, actions());
    controller.update({ counts: { pending: 1 }, paused: false });
    controller.update({ counts: { pending: 1, completed: 5 }, paused: false });
    expect(tray.setContextMenu).toHaveBeenCalledTimes(1);
    controller.update({ counts: { pending: 0, processing: 1 }, paused: false });
    controller.update({ counts: { pending: 0, processing: 1 }, paused: true });
    expect(tray.setContextMenu).toHaveBeenCalledTimes(3);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('StableQueue: 0 pending, 1 running (paused)');
  });
});
