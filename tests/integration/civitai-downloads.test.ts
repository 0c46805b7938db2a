import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_NAMES } from '../../electron/engine/secrets/secret-store.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor } from '../helpers/http.ts';
import { collectEvents } from '../helpers/sse.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../emulators/civitai/index.ts';

const TOKEN = 'sq-test-token';
let emu: CivitaiEmulator;
let sq: TestEngine;
let lib: { dir: string; cleanup: () => void };
let ckptDir: string;
let loraDir: string;
const m: Record<string, EmuModel> = {};
let sse: ReturnType<typeof collectEvents>;

async function download(model: EmuModel, extra: Record<string, unknown> = {}) {
  const res = await api(sq.url, 'POST', '/api/v1/civitai/download-model', { version_id: model.versions[0].id, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.download as { id: string };
}

async function settled(id: string, statuses = ['completed', 'failed', 'cancelled']) {
  return waitFor(async () => {
    const res = await api(sq.url, 'GET', `/api/v1/downloads/${id}`);
    return statuses.includes(res.body.status) ? res.body : null;
  }, { timeoutMs: 30_000, what: `download ${id}` });
}

/** Files in the library folders other than sidecars of completed downloads. */
function libraryFiles(): string[] {
  return [ckptDir, loraDir].flatMap((d) => fs.readdirSync(d).map((f) => path.relative(lib.dir, path.join(d, f))));
}

beforeAll(async () => {
  emu = await startCivitaiEmulator({ tokens: [TOKEN] });
  const f = (name: string, size = 40_000, extra: Record<string, unknown> = {}) => ({ name, size, ...extra });
  m.ok = await emu.addModel({ name: 'Juggernaut XL', type: 'Checkpoint', versions: [{ name: 'v9', baseModel: 'SDXL 1.0', files: [f('juggernautXL_v9.safetensors', 200_000)] }] });
  m.auth = await emu.addModel({ name: 'Members only', type: 'Checkpoint', versions: [{ name: 'v1', baseModel: 'SD 1.5', access: 'auth', files: [f('members.safetensors')] }] });
  m.early = await emu.addModel({ name: 'Early bird', type: 'LORA', versions: [{ name: 'v2', baseModel: 'Flux.1 D', access: 'early_access', files: [f('early.safetensors')] }] });
  m.missing = await emu.addModel({ name: 'Gone file', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', access: 'missing_file', files: [f('gone.safetensors')] }] });
  m.archived = await emu.addModel({ name: 'Archived', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', access: 'archived', files: [f('archived.safetensors')] }] });
  m.html = await emu.addModel({ name: 'Challenge page', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', files: [f('challenge.safetensors', 40_000, { cdn: 'html' })] }] });
  m.json = await emu.addModel({ name: 'Lying type', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', files: [f('lying.safetensors', 40_000, { cdn: 'json' })] }] });
  m.corrupt = await emu.addModel({ name: 'Corrupt', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', files: [f('corrupt.safetensors', 300_000, { cdn: 'corrupt' })] }] });
  m.slow = await emu.addModel({ name: 'Slow one', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', trainedWords: ['slow'], files: [f('slow_one.safetensors', 6_000_000)] }] });
  m.noRange = await emu.addModel({ name: 'No range', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', files: [f('norange.safetensors', 3_000_000, { cdn: 'no_range' })] }] });
  m.cancel = await emu.addModel({ name: 'Cancelled', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', files: [f('cancel_me.safetensors', 6_000_000)] }] });
  lib = makeTempDir('sq-civitai-dl-');
  ckptDir = path.join(lib.dir, 'models', 'Stable-diffusion');
  loraDir = path.join(lib.dir, 'models', 'Lora');
  fs.mkdirSync(ckptDir, { recursive: true });
  fs.mkdirSync(loraDir, { recursive: true });
  sq = await startTestEngine({ checkpointPath: ckptDir, loraPath: loraDir, civitaiBaseUrl: emu.apiUrl });
  sse = collectEvents(sq.url, ['download.progress', 'download.updated']);
  await sse.ready;
});

afterAll(async () => {
  sse?.close();
  await sq.stop();
  await emu.close();
  lib.cleanup();
});

describe('Civitai downloads', () => {
  it('downloads into the library with sidecars; the token never reaches storage', async () => {
    await sq.engine.secrets.set(SECRET_NAMES.civitaiToken, TOKEN);
    const d = await download(m.ok);
    const done = await settled(d.id);
    expect(done).toMatchObject({ status: 'completed', bytes_done: 200_000, total_bytes: 200_000, kind: 'checkpoint', library_model_id: expect.any(Number) });
    const target = path.join(ckptDir, 'juggernautXL_v9.safetensors');
    expect(fs.statSync(target).size).toBe(200_000);
    for (const side of ['juggernautXL_v9.json', 'juggernautXL_v9.civitai.info', 'juggernautXL_v9.preview.png']) expect(fs.existsSync(path.join(ckptDir, side)), side).toBe(true);
    expect(fs.existsSync(`${target}.part`)).toBe(false);
    const cdn = emu.requests.filter((r) => r.server === 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => r.authorization === null)).toBe(true);
    const apiCall = emu.requests.find((r) => r.path === `/api/download/models/${m.ok.versions[0].id}`)!;
    expect(apiCall.authorization).toBe(`Bearer ${TOKEN}`);
    expect(emu.requests.every((r) => !/mozilla|chrome|safari|firefox|opera|edge/i.test(r.userAgent ?? ''))).toBe(true);
    const model = await api(sq.url, 'GET', `/api/v1/models/${done.library_model_id}`);
    expect(model.body).toMatchObject({ kind: 'checkpoint', base_model: 'SDXL', sha256: m.ok.versions[0].files[0].hashes!.SHA256.toLowerCase(), civitai: { version_id: m.ok.versions[0].id } });
    // The same file again is recognised, not downloaded twice.
    const again = await api(sq.url, 'POST', '/api/v1/civitai/download-model', { version_id: m.ok.versions[0].id });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ already_installed: true, model_id: done.library_model_id });
    await sq.engine.secrets.delete(SECRET_NAMES.civitaiToken);
  });

  it('never saves an error body as a model (401, early access 403, 404, 410, HTML, JSON)', async () => {
    const cases: [EmuModel, string, RegExp][] = [
      [m.auth, 'unauthorized', /logged in|Civitai API token/],
      [m.early, 'early_access', /Early Access/],
      [m.missing, 'not_found', /not found/i],
      [m.archived, 'gone', /archived/],
      [m.html, 'error_body', /text\/html/],
      [m.json, 'error_body', /JSON/],
      [m.corrupt, 'hash_mismatch', /SHA256/],
    ];
    const ids = [];
    for (const [model] of cases) ids.push((await download(model)).id);
    for (const [i, [model, code, message]] of cases.entries()) {
      const done = await settled(ids[i]);
      expect(done.status, model.name).toBe('failed');
      expect(done.error_code, model.name).toBe(code);
      expect(done.error_message, model.name).toMatch(message);
    }
    const names = ['members', 'early', 'gone', 'archived', 'challenge', 'lying', 'corrupt'];
    const leftovers = libraryFiles().filter((f) => names.some((n) => path.basename(f).startsWith(n)));
    expect(leftovers).toEqual([]);
    // Retrying an early-access download fails the same way, still without a file.
    const retry = await api(sq.url, 'POST', `/api/v1/downloads/${ids[1]}/resume`);
    expect(retry.status).toBe(200);
    expect((await settled(ids[1])).error_code).toBe('early_access');
    expect(libraryFiles().filter((f) => f.includes('early'))).toEqual([]);
  });

  it('pauses, resumes with Range from the .part, and asks for a fresh link when the old one expired', async () => {
    emu.faults.throttleBps = 3_000_000;
    const d = await download(m.slow);
    const part = path.join(loraDir, 'slow_one.safetensors.part');
    await waitFor(async () => {
      if (fs.existsSync(part) && fs.statSync(part).size > 3_000_000) return true;
      const view = (await api(sq.url, 'GET', `/api/v1/downloads/${d.id}`)).body;
      if (!['queued', 'active'].includes(view.status)) throw new Error(`download ended early: ${JSON.stringify(view)}`);
      return false;
    }, { what: 'part of the file', timeoutMs: 10_000 });
    const paused = await api(sq.url, 'POST', `/api/v1/downloads/${d.id}/pause`);
    expect(paused.status).toBe(200);
    const pausedView = await settled(d.id, ['paused']);
    const offset = fs.statSync(part).size;
    expect(pausedView.bytes_done).toBe(offset);
    expect(offset).toBeGreaterThan(3_000_000);
    expect(offset).toBeLessThan(6_000_000);
    emu.expireSignedUrls();
    emu.faults.throttleBps = null;
    const resolvesBefore = emu.requests.filter((r) => r.path === `/api/download/models/${m.slow.versions[0].id}`).length;
    expect((await api(sq.url, 'POST', `/api/v1/downloads/${d.id}/resume`)).status).toBe(200);
    const done = await settled(d.id);
    expect(done.status, done.error_message).toBe('completed');
    const fileId = m.slow.versions[0].files[0].id;
    const transfers = emu.transfers.filter((t) => t.fileId === fileId);
    expect(transfers.some((t) => t.status === 206 && t.start === offset)).toBe(true);
    const cdnRequests = emu.requests.filter((r) => r.server === 'cdn' && r.path.startsWith(`/files/${fileId}/`));
    expect(cdnRequests.some((r) => r.range === `bytes=${offset}-`)).toBe(true);
    expect(emu.requests.filter((r) => r.path === `/api/download/models/${m.slow.versions[0].id}`).length).toBe(resolvesBefore + 1);
    expect(fs.statSync(path.join(loraDir, 'slow_one.safetensors')).size).toBe(6_000_000);
    const json = JSON.parse(fs.readFileSync(path.join(loraDir, 'slow_one.json'), 'utf8'));
    expect(json).toMatchObject({ 'sd version': 'SD1', 'activation text': 'slow', sha256: m.slow.versions[0].files[0].hashes!.SHA256.toLowerCase() });
    const progress = sse.events.filter((e) => e.type === 'download.progress' && e.data.id === d.id);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((e) => e.data.speed_bps > 0 && e.data.total_bytes === 6_000_000)).toBe(true);
    // Live events go out in 25 ms bursts: the stream may say so a moment after the REST answer.
    await waitFor(() => sse.events.some((e) => e.type === 'download.updated' && e.data.download.id === d.id && e.data.download.status === 'completed'), { what: 'the completed download event' });
  });

  it('restarts from zero when storage ignores Range (200 to a Range request)', async () => {
    emu.faults.throttleBps = 6_000_000;
    const d = await download(m.noRange);
    const part = path.join(loraDir, 'norange.safetensors.part');
    await waitFor(() => fs.existsSync(part) && fs.statSync(part).size > 500_000, { what: 'part of the file' });
    await api(sq.url, 'POST', `/api/v1/downloads/${d.id}/pause`);
    await settled(d.id, ['paused']);
    emu.faults.throttleBps = null;
    await api(sq.url, 'POST', `/api/v1/downloads/${d.id}/resume`);
    expect((await settled(d.id)).status).toBe('completed');
    const file = path.join(loraDir, 'norange.safetensors');
    expect(fs.statSync(file).size).toBe(3_000_000);
    expect(emu.transfers.filter((t) => t.fileId === m.noRange.versions[0].files[0].id).every((t) => t.status === 200 && t.start === 0)).toBe(true);
  });

  it('cancels: the .part is deleted and nothing lands in the library', async () => {
    emu.faults.throttleBps = 4_000_000;
    const d = await download(m.cancel);
    const part = path.join(loraDir, 'cancel_me.safetensors.part');
    await waitFor(() => fs.existsSync(part) && fs.statSync(part).size > 100_000, { what: 'part of the file' });
    const res = await api(sq.url, 'POST', `/api/v1/downloads/${d.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(fs.existsSync(part)).toBe(false);
    expect(fs.existsSync(path.join(loraDir, 'cancel_me.safetensors'))).toBe(false);
    emu.faults.throttleBps = null;
    const list = await api(sq.url, 'GET', '/api/v1/downloads');
    expect(list.body.downloads.find((x: any) => x.id === d.id).status).toBe('cancelled');
    expect((await api(sq.url, 'DELETE', `/api/v1/downloads/${d.id}`)).status).toBe(200);
    expect((await api(sq.url, 'GET', `/api/v1/downloads/${d.id}`)).status).toBe(404);
  });

  it('answers clearly for bad requests', async () => {
    expect((await api(sq.url, 'POST', '/api/v1/civitai/download-model', {})).body.error).toBe('missing_version');
    expect((await api(sq.url, 'POST', '/api/v1/civitai/download-model', { url: 'https://example.com/models/1' })).body.error).toBe('bad_civitai_url');
    const wrongFile = await api(sq.url, 'POST', '/api/v1/civitai/download-model', { version_id: m.ok.versions[0].id, file_id: 1 });
    expect(wrongFile.status).toBe(404);
    expect(wrongFile.body.message).toMatch(/has no file 1/);
    const unknown = await api(sq.url, 'POST', '/api/v1/civitai/download-model', { version_id: 987654 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('civitai_not_found');
  });
});
