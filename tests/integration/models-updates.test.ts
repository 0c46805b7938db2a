import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../emulators/civitai/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { api, waitFor } from '../helpers/http.ts';
import { collectEvents } from '../helpers/sse.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const HOUR = 3_600_000;
let emu: CivitaiEmulator;
let sq: TestEngine;
let tmp: { dir: string; cleanup: () => void };
let ckptDir: string;
let jug: EmuModel;
const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
const version = (name: string) => jug.versions.find((v) => v.name === name)!;
const bulkCalls = () => emu.requests.filter((r) => r.path === '/api/v1/models' && r.query.ids).length;

beforeAll(async () => {
  emu = await startCivitaiEmulator();
  jug = await emu.addModel({
    name: 'Juggernaut XL', type: 'Checkpoint',
    versions: [
      { name: 'v8', baseModel: 'SDXL 1.0', publishedAt: '2025-01-01T00:00:00.000Z', files: [{ name: 'juggernautXL_v8.safetensors', size: 50_000 }] },
      { name: 'v9', baseModel: 'SDXL 1.0', publishedAt: '2025-06-01T00:00:00.000Z', files: [{ name: 'juggernautXL_v9.safetensors', size: 60_000 }] },
      // Newest, but for another base model: not an update of an SDXL file.
      { name: 'flux1', baseModel: 'Flux.1 D', publishedAt: '2025-09-01T00:00:00.000Z', files: [{ name: 'juggernautFlux.safetensors', size: 40_000 }] },
    ],
  });
  tmp = makeTempDir('sq-updates-');
  ckptDir = path.join(tmp.dir, 'models', 'Stable-diffusion');
  fs.mkdirSync(path.join(ckptDir, 'sdxl'), { recursive: true });
  const v8 = version('v8').files[0];
  fs.writeFileSync(path.join(ckptDir, 'sdxl', 'jugg_v8.safetensors'), v8.content.read(0, v8.content.size));
  sq = await startTestEngine({ checkpointPath: ckptDir, civitaiBaseUrl: emu.apiUrl, clock });
  await api(sq.url, 'POST', '/api/v1/models/scan', { wait: true });
  await waitFor(async () => {
    const state = (await api(sq.url, 'GET', '/api/v1/models/scan')).body;
    return !state.scanning && state.hashing.queued === 0 && state.hashing.current === null;
  }, { what: 'hashing to finish' });
  expect((await api(sq.url, 'POST', '/api/v1/models/identify', {})).body).toMatchObject({ found: 1 });
});

afterAll(async () => {
  await sq.stop();
  await emu.close();
  tmp.cleanup();
});

describe('scheduled update checks and one-click update', () => {
  it('checks on schedule (daily by default, spread, not at start), stores the result and announces "N models have updates"', async () => {
    const events = collectEvents(sq.url);
    await events.ready;
    const before = (await api(sq.url, 'GET', '/api/v1/models/updates')).body;
    expect(before).toMatchObject({ interval_hours: 24, last_checked_at: null, models: [] });
    const due = Date.parse(before.next_check_at);
    expect(due).toBeGreaterThanOrEqual(clock.now() + 10 * 60_000);
    expect(due).toBeLessThanOrEqual(clock.now() + 10 * 60_000 + HOUR);
    // Not due yet: nothing asked of Civitai.
    await new Promise((r) => setTimeout(r, 1500));
    expect(bulkCalls()).toBe(0);

    clock.advance(due - clock.now() + 1);
    const event = await waitFor(() => events.events.find((e) => e.type === 'models.updates'), { what: 'models.updates event', timeoutMs: 10_000 });
    expect(event.data).toMatchObject({ count: 1, checked: 1, checked_at: new Date(clock.now()).toISOString() });
    expect(bulkCalls()).toBe(1);
    const after = (await api(sq.url, 'GET', '/api/v1/models/updates')).body;
    expect(after.last_checked_at).toBe(new Date(clock.now()).toISOString());
    expect(after.models.map((m: any) => [m.rel_path, m.latest_version_id])).toEqual([['sdxl/jugg_v8.safetensors', version('v9').id]]);
    // The next run is a day later (plus a spread of at most an hour), not sooner.
    const next = Date.parse(after.next_check_at);
    expect(next - clock.now()).toBeGreaterThanOrEqual(24 * HOUR);
    expect(next - clock.now()).toBeLessThanOrEqual(25 * HOUR);
    clock.advance(12 * HOUR);
    await new Promise((r) => setTimeout(r, 1500));
    expect(bulkCalls()).toBe(1);
    events.close();
  });

  it('one-click update downloads the new version next to the old one, both with their sidecars', async () => {
    const old = (await api(sq.url, 'GET', '/api/v1/models/updates')).body.models[0];
    const res = await api(sq.url, 'POST', `/api/v1/models/${old.id}/update`, { old: 'keep' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await waitFor(async () => (await api(sq.url, 'GET', `/api/v1/downloads/${res.body.download.id}`)).body.status === 'completed', { what: 'update download', timeoutMs: 30_000 });
    const dir = path.join(ckptDir, 'sdxl');
    const files = fs.readdirSync(dir).sort();
    for (const base of ['jugg_v8', 'juggernautXL_v9']) {
      expect(files).toContain(`${base}.safetensors`);
      expect(files).toContain(`${base}.civitai.info`);
      expect(files).toContain(`${base}.preview.png`);
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'juggernautXL_v9.civitai.info'), 'utf8'))).toMatchObject({ id: version('v9').id });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'jugg_v8.civitai.info'), 'utf8'))).toMatchObject({ id: version('v8').id });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/models/updates')).body.models.length === 0, { what: 'old version marked up to date' });
    expect((await api(sq.url, 'POST', `/api/v1/models/${old.id}/update`, {})).body.error).toBe('no_update');
  });
});
