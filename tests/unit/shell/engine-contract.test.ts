/**
 * What the shell relies on from a real embedded engine: the origin it loads, the launch
 * token header it sends (main-process thumbnail fetches, the window's API client), the
 * counts and pause state the tray shows, and the queue.state event that refreshes it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../shared/events.ts';
import { createLaunchToken, TOKEN_HEADER } from '../../../electron/main/engine-access.ts';
import { fetchThumbnail } from '../../../electron/main/notification-icon.ts';
import { buildTrayModel } from '../../../electron/main/tray-menu.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';

describe('shell ↔ embedded engine contract', () => {
  const token = createLaunchToken();
  let running: TestEngine;
  beforeAll(async () => { running = await startTestEngine({ launchToken: token }); });
  afterAll(async () => { await running.stop(); });

  it('listens on a 127.0.0.1 origin the window can load', () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(running.url).origin).toBe(running.url);
  });

  it('accepts the launch token header the shell sends, and refuses the API without it', async () => {
    const withToken = await fetch(`${running.url}/api/v1/queue/jobs`, { headers: { [TOKEN_HEADER]: token } });
    expect(withToken.status).toBe(200);
    const without = await fetch(`${running.url}/api/v1/queue/jobs`);
    expect(without.status).toBe(401);
    const wrong = await fetch(`${running.url}/api/v1/queue/jobs`, { headers: { [TOKEN_HEADER]: createLaunchToken() } });
    expect(wrong.status).toBe(401);
  });

  it('a thumbnail fetch for an unknown image gives null, not an error', async () => {
    expect(await fetchThumbnail(running.url, 987654, token)).toBeNull();
  });

  it('counts and pause state feed the tray; pausing emits queue.state', async () => {
    const events: EngineEvent[] = [];
    const off = running.engine.onEvent((event) => events.push(event));
    const counts = running.engine.queueCounts();
    expect(counts).toMatchObject({ pending: 0, processing: 0 });
    const paused = running.engine.isPaused();
    running.engine.setPaused(!paused);
    expect(running.engine.isPaused()).toBe(!paused);
    // queue.state is coalesced by the engine, so it comes a moment later.
    await vi.waitFor(() => {
      expect(events.some((event) => event.type === 'queue.state' && event.paused === !paused)).toBe(true);
    });
    const model = buildTrayModel({ counts: running.engine.queueCounts(), paused: running.engine.isPaused() }, {
      openWindow() {}, togglePause() {}, openOutputsFolder() {}, quit() {},
    });
    expect(model.tooltip).toBe(`StableQueue: 0 pending, 0 running${!paused ? ' (paused)' : ''}`);
    running.engine.setPaused(paused);
    off();
  });
});
