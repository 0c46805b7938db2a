import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { safetensorsHeader } from '../emulators/civitai/generated-file.ts';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../emulators/civitai/index.ts';

let emu: CivitaiEmulator;
let forge: ForgeEmulator;
let sq: TestEngine;
let tmp: { dir: string; cleanup: () => void };
let ckptDir: string;
let loraDir: string;
let jug: EmuModel;
const USER_JSON = '{\n    "description": "mine",\n    "activation text": "my words",\n    "preferred weight": 0.6\n}';

function small(size: number, seed: number, metadata?: Record<string, string>): Buffer {
  const header = safetensorsHeader({ size, seed, format: 'safetensors', metadata });
  return Buffer.concat([header, Buffer.alloc(size - header.length, seed)]);
}

const byName = async (name: string) => (await api(sq.url, 'GET', `/api/v1/models?q=${encodeURIComponent(name)}`)).body.items[0];

beforeAll(async () => {
  emu = await startCivitaiEmulator();
  jug = await emu.addModel({
    name: 'Juggernaut XL', type: 'Checkpoint',
    versions: [
      { name: 'v8', baseModel: 'SDXL 1.0', publishedAt: '2025-01-01T00:00:00.000Z', files: [{ name: 'juggernautXL_v8.safetensors', size: 50_000 }] },
      { name: 'v9', baseModel: 'SDXL 1.0', publishedAt: '2025-06-01T00:00:00.000Z', files: [{ name: 'juggernautXL_v9.safetensors', size: 60_000 }] },
    ],
  });
  tmp = makeTempDir('sq-library-');
  ckptDir = path.join(tmp.dir, 'models', 'Stable-diffusion');
  loraDir = path.join(tmp.dir, 'models', 'Lora');
  fs.mkdirSync(path.join(ckptDir, 'sdxl'), { recursive: true });
  fs.mkdirSync(loraDir, { recursive: true });
  const v8 = jug.versions.find((v) => v.name === 'v8')!.files[0];
  fs.writeFileSync(path.join(ckptDir, 'sdxl', 'juggernaut_local.safetensors'), v8.content.read(0, v8.content.size));
  fs.writeFileSync(path.join(ckptDir, 'v1-5-pruned-emaonly.safetensors'), small(20_000, 1));
  fs.writeFileSync(path.join(loraDir, 'pony_style.safetensors'), small(10_000, 2, { ss_base_model_version: 'sdxl_base_v1-0', ss_sd_model_name: 'ponyDiffusionV6XL_v6StartWithThisOne.safetensors' }));
  fs.writeFileSync(path.join(loraDir, 'my_lora.safetensors'), small(12_000, 3, { 'modelspec.architecture': 'stable-diffusion-v1/lora' }));
  fs.writeFileSync(path.join(loraDir, 'my_lora.json'), USER_JSON);
  fs.writeFileSync(path.join(loraDir, 'my_lora.png'), Buffer.from('89504e470d0a1a0a0000', 'hex'));
  forge = await createForgeEmulator({ stepMs: 1 });
  sq = await startTestEngine({ checkpointPath: ckptDir, loraPath: loraDir, civitaiBaseUrl: emu.apiUrl });
  expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url })).status).toBe(201);
});

afterAll(async () => {
  await sq.stop();
  await forge.close();
  await emu.close();
  tmp.cleanup();
});

describe('the model library API', () => {
  it('scans on request and hashes in the background', async () => {
    const scan = await api(sq.url, 'POST', '/api/v1/models/scan', { wait: true });
    expect(scan.status).toBe(200);
    expect(scan.body.result.files).toBe(4);
    await waitFor(async () => {
      const state = (await api(sq.url, 'GET', '/api/v1/models/scan')).body;
      return !state.scanning && state.hashing.queued === 0 && state.hashing.current === null;
    }, { what: 'hashing to finish' });
    const list = (await api(sq.url, 'GET', '/api/v1/models')).body;
    expect(list.items.every((m: any) => m.hash_state === 'done' && /^[0-9a-f]{10}$/.test(m.autov2) && /^[0-9a-f]{12}$/.test(m.autov3))).toBe(true);
  });

  it('lists with filters, search, paging and facets', async () => {
    const all = (await api(sq.url, 'GET', '/api/v1/models')).body;
    expect(all.total).toBe(4);
    expect(all.facets.kinds).toEqual({ checkpoint: 2, lora: 2 });
    expect(all.facets.base_models).toEqual({ Pony: 1, SD1: 2, Unknown: 1 });
    expect(all.scan.roots.map((r: any) => r.kind)).toEqual(['checkpoint', 'lora']);
    const loras = (await api(sq.url, 'GET', '/api/v1/models?kind=lora')).body;
    expect(loras.items.map((m: any) => m.name).sort()).toEqual(['my_lora', 'pony_style']);
    expect(loras.facets.kinds).toEqual({ checkpoint: 2, lora: 2 });
    expect((await api(sq.url, 'GET', '/api/v1/models?base_model=Pony')).body.items.map((m: any) => m.name)).toEqual(['pony_style']);
    const found = await byName('juggern');
    expect(found).toMatchObject({ name: 'juggernaut_local', folder: 'sdxl', rel_path: 'sdxl/juggernaut_local.safetensors', kind: 'checkpoint', civitai: null });
    const page = (await api(sq.url, 'GET', '/api/v1/models?limit=1&offset=1&sort=size')).body;
    expect(page.items).toHaveLength(1);
    expect(page.items[0].name).toBe('v1-5-pruned-emaonly');
    expect((await api(sq.url, 'GET', '/api/v1/models?kind=nope')).status).toBe(400);
  });

  it('serves info (sidecars, header metadata) and previews', async () => {
    const mine = await byName('my_lora');
    expect(mine).toMatchObject({ base_model: 'SD1', base_model_source: 'modelspec', has_user_metadata: true, preview_url: `/api/v1/models/${mine.id}/preview` });
    const info = (await api(sq.url, 'GET', `/api/v1/models/${mine.id}/info`)).body;
    expect(info.user_metadata).toEqual({ description: 'mine', 'activation text': 'my words', 'preferred weight': 0.6 });
    expect(info.sidecars).toEqual(['my_lora.json', 'my_lora.png']);
    expect(info.header_metadata).toEqual({ 'modelspec.architecture': 'stable-diffusion-v1/lora' });
    const preview = await fetch(`${sq.url}${mine.preview_url}`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/png');
    const again = await fetch(`${sq.url}${mine.preview_url}`, { headers: { 'if-none-match': preview.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const pony = await byName('pony_style');
    expect(pony.base_model_source).toBe('kohya');
    expect((await api(sq.url, 'GET', `/api/v1/models/${pony.id}/preview`)).body.error).toBe('no_preview');
    expect((await api(sq.url, 'GET', '/api/v1/models/99999')).body.error).toBe('model_not_found');
  });

  it('identifies files on Civitai by hash, writing sidecars but keeping the user\'s', async () => {
    const result = await api(sq.url, 'POST', '/api/v1/models/identify', {});
    expect(result.body).toEqual({ checked: 4, found: 1, not_found: 3, errors: 0 });
    const v8 = jug.versions.find((v) => v.name === 'v8')!;
    const local = await byName('juggernaut_local');
    expect(local).toMatchObject({ civitai_status: 'found', base_model: 'SDXL', base_model_label: 'SDXL 1.0', civitai: { model_id: jug.id, version_id: v8.id, model_name: 'Juggernaut XL', version_name: 'v8' } });
    const dir = path.join(ckptDir, 'sdxl');
    expect(fs.readdirSync(dir).sort()).toEqual(['juggernaut_local.civitai.info', 'juggernaut_local.json', 'juggernaut_local.preview.png', 'juggernaut_local.safetensors']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'juggernaut_local.civitai.info'), 'utf8'))).toMatchObject({ id: v8.id, modelId: jug.id, baseModel: 'SDXL 1.0' });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'juggernaut_local.json'), 'utf8'))).toMatchObject({ modelId: jug.id, modelVersionId: v8.id, sha256: local.sha256 });
    expect(fs.readFileSync(path.join(dir, 'juggernaut_local.preview.png')).subarray(0, 4).toString('hex')).toBe('89504e47');
    expect(fs.readFileSync(path.join(loraDir, 'my_lora.json'), 'utf8')).toBe(USER_JSON);
    expect((await api(sq.url, 'GET', '/api/v1/models?civitai=not_found')).body.total).toBe(3);
    // "Not on Civitai" is cached: a second run asks Civitai nothing.
    const before = emu.requests.length;
    expect((await api(sq.url, 'POST', '/api/v1/models/identify', {})).body.checked).toBe(0);
    expect(emu.requests.length).toBe(before);
  });

  it('checks for updates in bulk', async () => {
    const result = await api(sq.url, 'POST', '/api/v1/models/check-updates');
    expect(result.body).toEqual({ checked: 1, updates: 1 });
    const v9 = jug.versions.find((v) => v.name === 'v9')!;
    const updates = (await api(sq.url, 'GET', '/api/v1/models?updates=true')).body.items;
    expect(updates.map((m: any) => [m.name, m.latest_version_id, m.update_available])).toEqual([['juggernaut_local', v9.id, true]]);
    expect(emu.requests.filter((r) => r.path === '/api/v1/models' && r.query.ids).length).toBe(1);
  });

  it('keeps the seed\'s endpoints: checkpoints, loras, verify-checkpoint, models-cache', async () => {
    const checkpoints = (await api(sq.url, 'GET', '/api/v1/checkpoints')).body;
    expect(checkpoints.map((c: any) => [c.relativePath, c.filename])).toEqual([['sdxl', 'juggernaut_local.safetensors'], ['', 'v1-5-pruned-emaonly.safetensors']]);
    expect((await api(sq.url, 'GET', '/api/v1/loras')).body.map((l: any) => l.filename)).toEqual(['my_lora.safetensors', 'pony_style.safetensors']);
    const local = (await api(sq.url, 'GET', '/api/v1/debug/verify-checkpoint?name=juggernaut_local')).body;
    expect(local.local.match).toEqual({ title: 'sdxl/juggernaut_local.safetensors', match: 'basename' });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body[0]?.status === 'online', { what: 'f1 online' });
    const onServer = (await api(sq.url, 'GET', '/api/v1/debug/verify-checkpoint?name=v1-5-pruned-emaonly&server=f1')).body;
    expect(onServer.server.match.title).toMatch(/^v1-5-pruned-emaonly\.safetensors/);
    expect(onServer.local.match.match).toBe('basename');
    const miss = (await api(sq.url, 'GET', '/api/v1/debug/verify-checkpoint?name=juggernautXL&server=f1')).body;
    expect(miss.server.match).toBeNull();
    expect(miss.server.closest.length).toBeGreaterThan(0);
    expect((await api(sq.url, 'GET', '/api/v1/debug/verify-checkpoint?name=x&server=nope')).status).toBe(404);
    const cache = (await api(sq.url, 'GET', '/api/v1/debug/models-cache')).body;
    expect(cache.counts.checkpoint).toEqual({ total: 2, hashed: 2, identified: 1, with_preview: 1 });
    expect(cache.models).toHaveLength(4);
  });

  it('browses Civitai with "installed" marks and reads image generation data', async () => {
    const page = (await api(sq.url, 'GET', '/api/v1/civitai/models?types=Checkpoint&limit=5')).body;
    const item = page.items.find((m: any) => m.id === jug.id);
    expect(item.installed_version_ids).toEqual([jug.versions.find((v) => v.name === 'v8')!.id]);
    expect(page.next_cursor).toBeNull();
    const image = jug.versions[0].images[0];
    const info = (await api(sq.url, 'GET', `/api/v1/civitai/image-info?url=${encodeURIComponent(`https://civitai.com/images/${image.id}`)}`)).body;
    expect(info.generation_params).toMatchObject({ positive_prompt: 'sample 0', steps: 20, sampler_name: 'Euler a', cfg_scale: 7, width: 512, height: 768 });
    expect((await api(sq.url, 'GET', '/api/v1/civitai/image-info?url=https://example.com/x')).body.error).toBe('bad_image_reference');
    // Preview images reach the UI through the engine (its CSP allows only its own origin).
    const imageUrl = item.modelVersions[0].images[0].url as string;
    expect(imageUrl).toContain('/original=true/');
    const proxied = await fetch(`${sq.url}/api/v1/civitai/image?url=${encodeURIComponent(imageUrl)}&width=120`);
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('content-type')).toBe('image/jpeg');
    expect(emu.requests.at(-1)!.path).toContain('/width=120/');
    expect((await api(sq.url, 'GET', `/api/v1/civitai/image?url=${encodeURIComponent('http://169.254.169.254/latest/meta-data')}`)).body.error).toBe('image_host_not_allowed');
  });

  it('warns before queueing when a LoRA is made for another base model than the checkpoint', async () => {
    const res = await api(sq.url, 'POST', '/api/v1/models/compatibility', {
      checkpoint_name: 'sdxl/juggernaut_local.safetensors [0123456789]', loras: [{ name: 'my_lora' }, { name: 'pony_style' }, { name: 'not_in_library' }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.checkpoint_base_model).toBe('SDXL');
    expect(res.body.warnings).toEqual([expect.objectContaining({ kind: 'lora', name: 'my_lora', base_model: 'SD1', checkpoint_base_model: 'SDXL' })]);
    expect(res.body.warnings[0].message).toContain('made for SD1');
    const sd1 = (await api(sq.url, 'POST', '/api/v1/models/compatibility', { checkpoint_name: 'v1-5-pruned-emaonly', loras: [{ name: 'my_lora' }] })).body;
    expect(sd1).toEqual({ checkpoint_base_model: 'SD1', warnings: [] });
    expect((await api(sq.url, 'POST', '/api/v1/models/compatibility', { loras: [] })).status).toBe(400);
  });
});

