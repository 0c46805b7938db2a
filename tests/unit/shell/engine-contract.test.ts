/**
 * What the shell relies on from a real embedded engine: the origin it loads, the launch
 * token header the window's API client sends, the thumbnails and settings the notifier
 * asks for in-process, the counts and pause state the tray shows, and the queue.state
 * event that refreshes it.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../shared/events.ts';
import { createLaunchToken } from '../../../electron/main/engine-access.ts';
import { LAUNCH_TOKEN_HEADER as TOKEN_HEADER } from '../../../shared/launch-token.ts';
import { notificationThumbnail } from '../../../electron/main/notification-icon.ts';
import { buildTrayModel } from '../../../electron/main/tray-menu.ts';
import { createForgeEmulator } from '../../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { api, FINISHED, waitFor } from '../../helpers/http.ts';

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

  it('a notification thumbnail for an unknown image gives null, not an error', async () => {
    expect(await notificationThumbnail(running.engine, 987654)).toBeNull();
  });

  it('hands out an image thumbnail in-process (the notification icon), and null for an unknown image', async () => {
    expect(await running.engine.thumbnail(987654)).toBeNull();
    expect(await running.engine.thumbnail(-1)).toBeNull();
    const forge = await createForgeEmulator({ stepMs: 5 });
    try {
      const auth = { [TOKEN_HEADER]: token };
      expect((await api(running.url, 'POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url }, auth)).status).toBe(201);
      const submitted = await api(running.url, 'POST', '/api/v1/generate', {
        target_server_alias: 'f1', generation_params: { positive_prompt: 'a fox', steps: 3, width: 512, height: 512 },
      }, auth);
      expect(submitted.status).toBe(202);
      const job = await waitFor(async () => {
        const status = await api(running.url, 'GET', `/api/v1/queue/jobs/${submitted.body.mobilesd_job_id}/status`, undefined, auth);
        return FINISHED.has(status.body.status) ? status.body : null;
      }, { what: 'the job to finish' });
      expect(job.status).toBe('completed');
      const imageId = job.images[0].id as number;
      const thumbnail = await running.engine.thumbnail(imageId);
      expect(thumbnail).not.toBeNull();
      const meta = await sharp(thumbnail!).metadata();
      expect(meta.format).toBe('webp');
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(384);
      // The same bytes the thumbnail route serves.
      const served = await fetch(`${running.url}${job.images[0].thumbnail_url}`, { headers: auth });
      expect(Buffer.from(await served.arrayBuffer()).equals(thumbnail!)).toBe(true);
    } finally {
      await forge.close();
    }
  });

  it('reads and writes the user settings in-process (the desktop notifier follows them)', () => {
    const before = running.engine.settings().notifications_enabled;
    expect(running.engine.updateSettings({ notifications_enabled: !before }).notifications_enabled).toBe(!before);
    expect(running.engine.settings().notifications_enabled).toBe(!before);
    running.engine.updateSettings({ notifications_enabled: before });
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
