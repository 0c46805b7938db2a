import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appIconPath } from '../../../../electron/main/desktop-paths.ts';
import { QUEUE_EMPTY_DELAY_MS } from '../../../../electron/main/job-notifications.ts';
import { enable, LEGACY_NOTIFICATIONS_KEY, migrateNotificationPreference } from '../../../../electron/main/modules/notifications.ts';
import { QUEUE_REFRESH_DELAY_MS } from '../../../../electron/main/queue-watch.ts';
import type { EngineEvent } from '../../../../shared/events.ts';
import type { JobSummary } from '../../../../shared/jobs.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';
import { fakeElectronState, fakeEngine, fakeHost, fakeShellContext, memoryPreferences, type FakeElectronState } from '../fake-shell.ts';

function finished(overrides: Partial<JobSummary> = {}): EngineEvent {
  return {
    type: 'job.finished',
    job: {
      mobilesd_job_id: 'job-1', status: 'completed', positive_prompt: 'a red fox', image_count: 1, first_image_id: 7,
      assigned_server_alias: 'gpu', target_server_alias: 'auto', error_message: null, ...overrides,
    } as JobSummary,
  };
}

describe('notifications module', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let state: FakeElectronState;
  beforeEach(() => { tmp = makeTempDir('sq-notify-'); state = fakeElectronState(tmp.dir); });
  afterEach(() => { vi.useRealTimers(); tmp.cleanup(); });

  function setup(options: { legacy?: Record<string, unknown> } = {}) {
    const prefs = memoryPreferences(options.legacy);
    const { context } = fakeShellContext(state, { prefs });
    const engine = fakeEngine();
    const window = { show: vi.fn() };
    const toPng = vi.fn(async (bytes: Buffer) => Buffer.concat([Buffer.from('png:'), bytes]));
    enable({ ...context, host: fakeHost(engine), window, legacyPreferences: prefs, toPng });
    return { engine, window, prefs, toPng };
  }

  it('a completed job notifies with its first image from the engine; a click opens the job', async () => {
    const { engine, window, toPng } = setup();
    engine.thumbnail.mockResolvedValueOnce(Buffer.from('webp'));
    engine.emit(finished());
    await vi.waitFor(() => { expect(state.notifications).toHaveLength(1); });
    const notification = state.notifications[0]!;
    expect(notification.options).toMatchObject({ title: 'Job completed on gpu', body: 'a red fox\n1 image' });
    expect(notification.shown).toBe(true);
    // In-process, no HTTP: the engine's WebP made into the PNG Electron can show.
    expect(engine.thumbnail).toHaveBeenCalledWith(7);
    expect(toPng).toHaveBeenCalledWith(Buffer.from('webp'));
    expect(state.imagesFromBuffer).toEqual([Buffer.from('png:webp')]);
    notification.emit('click');
    expect(window.show).toHaveBeenCalledWith('queue?job=job-1');
  });

  it('no thumbnail: the app icon', async () => {
    const { engine } = setup();
    engine.emit(finished({ status: 'failed', error_message: 'CUDA out of memory', first_image_id: null, image_count: 0 }));
    await vi.waitFor(() => { expect(state.notifications).toHaveLength(1); });
    expect(state.notifications[0]!.options.title).toBe('Job failed on gpu');
    expect(state.notifications[0]!.options.icon.kind).toBe(`path:${appIconPath(path.join(tmp.dir, 'icons'))}`);
    expect(engine.thumbnail).not.toHaveBeenCalled();
  });

  it('the Settings notifications switch (the engine setting) silences them, read at each event', async () => {
    const { engine } = setup();
    engine.updateSettings({ notifications_enabled: false });
    engine.emit(finished({ mobilesd_job_id: 'quiet' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.notifications).toEqual([]);
    engine.updateSettings({ notifications_enabled: true });
    engine.emit(finished({ mobilesd_job_id: 'loud' }));
    await vi.waitFor(() => { expect(state.notifications).toHaveLength(1); });
  });

  it('follows the per-event choices of Settings → Notifications: failures only, then a server outage', async () => {
    const { engine } = setup();
    engine.updateSettings({ desktop_notify_events: ['job.failed', 'server.offline'] });
    engine.emit(finished({ mobilesd_job_id: 'done' }));
    engine.emit(finished({ mobilesd_job_id: 'broke', status: 'failed', error_message: 'boom', first_image_id: null }));
    const server = (status: string) => engine.emit({ type: 'server.status', server: { alias: 'gpu', status } } as unknown as EngineEvent);
    server('online');
    server('offline');
    server('online');
    await vi.waitFor(() => { expect(state.notifications).toHaveLength(2); });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.notifications.map((n) => n.options.title)).toEqual(['Job failed on gpu', 'gpu is offline']);
  });

  it('a system without notifications gets none', async () => {
    state.notificationsSupported = false;
    const { engine } = setup();
    engine.emit(finished());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.notifications).toEqual([]);
  });

  it('the queue drained after a batch: one "Queue finished" notification', async () => {
    vi.useFakeTimers();
    const { engine } = setup();
    engine.counts = { pending: 1, processing: 1 };
    engine.emit({ type: 'queue.state', paused: false, counts: engine.counts });
    vi.advanceTimersByTime(QUEUE_REFRESH_DELAY_MS);
    engine.emit(finished({ mobilesd_job_id: 'a', first_image_id: null }));
    engine.emit(finished({ mobilesd_job_id: 'b', first_image_id: null }));
    engine.counts = { pending: 0, processing: 0, completed: 2 };
    vi.advanceTimersByTime(QUEUE_REFRESH_DELAY_MS + QUEUE_EMPTY_DELAY_MS);
    await vi.waitFor(() => { expect(state.notifications.map((n) => n.options.title)).toContain('Queue finished'); });
    expect(state.notifications.find((n) => n.options.title === 'Queue finished')!.options.body).toBe('All jobs are done: 2 completed.');
  });

  it('an old desktop preference that turned notifications off moves into the engine setting once', () => {
    const { engine, prefs } = setup({ legacy: { [LEGACY_NOTIFICATIONS_KEY]: false } });
    expect(engine.settings().notifications_enabled).toBe(false);
    expect(prefs.values).not.toHaveProperty(LEGACY_NOTIFICATIONS_KEY);
  });

  it('an old "on" (the default) changes nothing but goes; no old key, nothing happens', () => {
    const engine = fakeEngine();
    engine.updateSettings({ notifications_enabled: false });
    const on = memoryPreferences({ [LEGACY_NOTIFICATIONS_KEY]: true });
    migrateNotificationPreference(on, engine);
    expect(engine.settings().notifications_enabled).toBe(false);
    expect(on.has(LEGACY_NOTIFICATIONS_KEY)).toBe(false);
    const update = vi.spyOn(engine, 'updateSettings');
    migrateNotificationPreference(memoryPreferences(), engine);
    expect(update).not.toHaveBeenCalled();
  });
});
