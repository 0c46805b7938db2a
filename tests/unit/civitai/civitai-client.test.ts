import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CivitaiClient } from '../../../electron/engine/civitai/civitai-client.ts';
import { CivitaiError } from '../../../electron/engine/civitai/civitai-error.ts';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../../emulators/civitai/index.ts';

const TOKEN = 'good-token';
let emu: CivitaiEmulator;
let token: string | null = null;
let client: CivitaiClient;
const models: Record<string, EmuModel> = {};

async function failure(promise: Promise<unknown>): Promise<CivitaiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CivitaiError);
    return error as CivitaiError;
  }
  throw new Error('expected a CivitaiError');
}

beforeAll(async () => {
  emu = await startCivitaiEmulator({ tokens: [TOKEN] });
  const file = (name: string, size = 4096) => ({ name, size });
  models.sdxl = await emu.addModel({ name: 'Juggernaut XL', type: 'Checkpoint', thumbsUpCount: 50, versions: [{ name: 'v9', baseModel: 'SDXL 1.0', files: [file('juggernautXL_v9.safetensors'), { name: 'juggernautXL_v9.ckpt', size: 3000, primary: false }] }] });
  models.lora = await emu.addModel({ name: 'Detail Tweaker', type: 'LORA', thumbsUpCount: 40, tags: ['detail'], versions: [{ name: 'v1', baseModel: 'SD 1.5', trainedWords: ['detailed'], files: [file('add_detail.safetensors')] }] });
  models.pony = await emu.addModel({ name: 'Pony Diffusion', type: 'Checkpoint', thumbsUpCount: 30, versions: [{ name: 'v6', baseModel: 'Pony', files: [file('pony.safetensors')] }] });
  models.nsfw = await emu.addModel({ name: 'Spicy', type: 'Checkpoint', nsfw: true, thumbsUpCount: 20, versions: [{ name: 'v1', baseModel: 'SD 1.5', files: [file('spicy.safetensors')] }] });
  models.ill = await emu.addModel({ name: 'Illustrious XL', type: 'Checkpoint', thumbsUpCount: 10, versions: [{ name: 'v0.1', baseModel: 'Illustrious', files: [file('ill.safetensors')] }] });
  models.auth = await emu.addModel({ name: 'Members only', type: 'Checkpoint', versions: [{ name: 'v1', baseModel: 'SD 1.5', access: 'auth', files: [file('members.safetensors')] }] });
  models.early = await emu.addModel({ name: 'Early', type: 'LORA', versions: [{ name: 'v2', baseModel: 'Flux.1 D', access: 'early_access', files: [file('early.safetensors')] }] });
  models.archived = await emu.addModel({ name: 'Old', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', access: 'archived', files: [file('old.safetensors')] }] });
  models.disabled = await emu.addModel({ name: 'No downloads', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', access: 'disabled', files: [file('nodl.safetensors')] }] });
  client = new CivitaiClient({ baseUrl: emu.apiUrl, getToken: async () => token, userAgent: 'StableQueue/test', backoff: { baseMs: 10, maxMs: 50, retries: 3 } });
});

afterAll(() => emu.close());

describe('search and browse', () => {
  it('pages with cursors until nextCursor is gone', async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.searchModels({ limit: 2, cursor });
      names.push(...page.items.map((m) => m.name));
      cursor = page.metadata?.nextCursor ? String(page.metadata.nextCursor) : undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(names).toHaveLength(8); // NSFW hidden by default
    expect(names.slice(0, 3)).toEqual(['Juggernaut XL', 'Detail Tweaker', 'Pony Diffusion']);
  });

  it('filters by type, base model, query and NSFW', async () => {
    expect((await client.searchModels({ types: ['LORA'] })).items.map((m) => m.name)).toEqual(['Detail Tweaker', 'Early', 'Old', 'No downloads']);
    expect((await client.searchModels({ baseModels: ['Pony', 'Illustrious'] })).items.map((m) => m.name)).toEqual(['Pony Diffusion', 'Illustrious XL']);
    expect((await client.searchModels({ query: 'detail' })).items.map((m) => m.name)).toEqual(['Detail Tweaker']);
    expect((await client.searchModels({ nsfw: true, query: 'spicy' })).items.map((m) => m.name)).toEqual(['Spicy']);
    const sent = emu.requests.filter((r) => r.path === '/api/v1/models').at(-3)!;
    expect(sent.query.baseModels).toBe('Illustrious'); // repeated parameters: the last one is what a query object shows
  });

  it('retries 503s (Retry-After: 2), then answers', async () => {
    emu.faults.busyNext = 2;
    const page = await client.searchModels({ limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(emu.faults.busyNext).toBe(0);
  });

  it('gives up after the retries with a clear error', async () => {
    emu.faults.busyNext = 10;
    const error = await failure(client.searchModels({ limit: 1 }));
    expect(error.kind).toBe('unavailable');
    emu.faults.busyNext = 0;
  });

  it('fails fast when Civitai cannot be reached (one retry, no long backoff)', async () => {
    const dead = new CivitaiClient({ baseUrl: 'http://127.0.0.1:9', getToken: async () => null, userAgent: 'StableQueue/test', backoff: { baseMs: 1000, maxMs: 30_000, retries: 4 } });
    const started = Date.now();
    const error = await failure(dead.searchModels({ limit: 1 }));
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/cannot reach Civitai/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('emulates the page limits (page*limit > 1000 → 429, query+page → 400)', async () => {
    const tooDeep = await fetch(`${emu.apiUrl}/api/v1/models?limit=100&page=11`);
    expect(tooDeep.status).toBe(429);
    expect((await tooDeep.json()).error).toMatch(/use cursors/);
    expect((await fetch(`${emu.apiUrl}/api/v1/models?query=x&page=1`)).status).toBe(400);
  });

  it('reads models, versions and bulk model lists', async () => {
    const model = await client.getModel(models.sdxl.id);
    expect(model.modelVersions?.[0].files?.find((f) => f.primary)?.name).toBe('juggernautXL_v9.safetensors');
    expect(model.modelVersions?.[0].files?.filter((f) => f.primary === undefined)).toHaveLength(1);
    const version = await client.getVersion(models.sdxl.versions[0].id);
    expect(version).toMatchObject({ baseModel: 'SDXL 1.0', model: { name: 'Juggernaut XL', type: 'Checkpoint' }, air: `urn:air:sdxl:checkpoint:civitai:${models.sdxl.id}@${models.sdxl.versions[0].id}` });
    expect((await client.getModelsByIds([models.lora.id, models.pony.id, models.nsfw.id])).map((m) => m.name).sort()).toEqual(['Detail Tweaker', 'Pony Diffusion', 'Spicy']);
    const missing = await failure(client.getModel(999_999));
    expect(missing).toMatchObject({ kind: 'not_found', status: 404 });
    expect(missing.message).toMatch(/No model with id 999999/);
  });

  it('identifies files by hash (GET any hash type, bulk POST, bulk ids)', async () => {
    const file = models.lora.versions[0].files[0];
    const sha = file.hashes!.SHA256;
    expect((await client.getVersionByHash(sha.toLowerCase()))?.id).toBe(models.lora.versions[0].id);
    expect((await client.getVersionByHash(file.hashes!.AutoV2))?.id).toBe(models.lora.versions[0].id);
    expect(await client.getVersionByHash('0123456789')).toBeNull();
    const versions = await client.getVersionsByHashes([sha, models.pony.versions[0].files[0].hashes!.SHA256]);
    expect(versions.map((v) => v.id).sort()).toEqual([models.lora.versions[0].id, models.pony.versions[0].id].sort());
    const ids = await client.getIdsByHashes([sha, 'F'.repeat(64)]);
    expect(ids).toEqual([{ modelVersionId: models.lora.versions[0].id, modelId: models.lora.id, hash: sha }]);
  });
});

describe('download links', () => {
  it('follows nothing: returns the signed storage URL; the token goes only to the API origin', async () => {
    token = TOKEN;
    const before = emu.requests.length;
    const resolved = await client.resolveDownload(models.sdxl.versions[0].id, models.sdxl.versions[0].files[1].id);
    expect(resolved.url.startsWith(emu.cdnUrl)).toBe(true);
    expect(resolved.url).toContain(`/files/${models.sdxl.versions[0].files[1].id}/`);
    expect(resolved.direct).toBe(false);
    const sent = emu.requests.slice(before);
    expect(sent.every((r) => r.server === 'api')).toBe(true);
    expect(sent[0]).toMatchObject({ authorization: `Bearer ${TOKEN}`, userAgent: 'StableQueue/test' });
    expect(await client.authorizationFor(resolved.url)).toBeNull();
    expect(await client.authorizationFor(`${emu.apiUrl}/api/download/models/1`)).toBe(`Bearer ${TOKEN}`);
    token = null;
  });

  it('classifies 401, early access 403, 404, 410 and disabled downloads', async () => {
    const v = (m: EmuModel) => [m.versions[0].id, m.versions[0].files[0].id] as const;
    expect(await failure(client.resolveDownload(...v(models.auth)))).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(await failure(client.resolveDownload(...v(models.early)))).toMatchObject({ kind: 'early_access', status: 403 });
    expect(await failure(client.resolveDownload(...v(models.archived)))).toMatchObject({ kind: 'gone', status: 410 });
    expect(await failure(client.resolveDownload(...v(models.disabled)))).toMatchObject({ kind: 'downloads_disabled', status: 401 });
    expect(await failure(client.resolveDownload(models.sdxl.versions[0].id, 424242))).toMatchObject({ kind: 'not_found', status: 404 });
    token = 'wrong';
    expect((await failure(client.resolveDownload(...v(models.auth)))).message).toMatch(/rejected the API token/);
    token = TOKEN;
    expect((await client.resolveDownload(...v(models.auth))).url.startsWith(emu.cdnUrl)).toBe(true);
    token = null;
  });

  it('retries the per-IP download limiter (429)', async () => {
    emu.faults.rateLimitNext = 2;
    const resolved = await client.resolveDownload(models.lora.versions[0].id, models.lora.versions[0].files[0].id);
    expect(resolved.url.startsWith(emu.cdnUrl)).toBe(true);
  });

  it('treats a login redirect (what a browser User-Agent gets) as unauthorized', async () => {
    const browser = new CivitaiClient({ baseUrl: emu.apiUrl, getToken: async () => null, userAgent: 'Mozilla/5.0 Chrome/120', backoff: { baseMs: 1, maxMs: 1, retries: 0 } });
    expect(await failure(browser.resolveDownload(models.auth.versions[0].id, models.auth.versions[0].files[0].id))).toMatchObject({ kind: 'unauthorized' });
    expect(await failure(browser.resolveDownload(models.early.versions[0].id, models.early.versions[0].files[0].id))).toMatchObject({ kind: 'early_access' });
  });
});
