/**
 * Favourite stars and collections of library models: they filter the library list, follow
 * a file through rename and the trash, and the list sorts by how much each model was used.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFolderForge, type FolderForge } from '../emulators/civitai/folder-forge.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let forge: FolderForge;
let sq: TestEngine;
let tmp: { dir: string; cleanup: () => void };

const names = async (query: string) => (await api(sq.url, 'GET', `/api/v1/models?${query}`)).body.items.map((m: any) => m.name);
const model = async (name: string) => (await api(sq.url, 'GET', `/api/v1/models?q=${encodeURIComponent(name)}`)).body.items.find((m: any) => m.name === name);

beforeAll(async () => {
  tmp = makeTempDir('sq-collections-');
  const ckptDir = path.join(tmp.dir, 'models', 'Stable-diffusion');
  const loraDir = path.join(tmp.dir, 'models', 'Lora');
  fs.mkdirSync(ckptDir, { recursive: true });
  fs.mkdirSync(loraDir, { recursive: true });
  for (const [i, name] of ['alpha', 'bravo', 'charlie'].entries()) fs.writeFileSync(path.join(ckptDir, `${name}.safetensors`), Buffer.alloc(2048, i + 1));
  fs.writeFileSync(path.join(loraDir, 'ink.safetensors'), Buffer.alloc(2048, 9));
  forge = await startFolderForge({ checkpoints: ckptDir, loras: loraDir });
  sq = await startTestEngine({ checkpointPath: ckptDir, loraPath: loraDir });
  expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'f1', app_type: 'forge', api_url: forge.url })).status).toBe(201);
  await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.find((s: any) => s.alias === 'f1')?.status === 'online', { what: 'server f1 online' });
  expect((await api(sq.url, 'POST', '/api/v1/models/scan', { wait: true })).body.result.files).toBe(4);
});

afterAll(async () => {
  await sq.stop();
  await forge.close();
  tmp.cleanup();
});

describe('model favourites and collections', () => {
  it('a star shows on the model and filters the list; it survives a rename and the trash', async () => {
    const bravo = await model('bravo');
    expect(bravo.favourite).toBe(false);
    const starred = await api(sq.url, 'PUT', `/api/v1/models/${bravo.id}/favourite`, { favourite: true });
    expect(starred.status).toBe(200);
    expect(starred.body.favourite).toBe(true);
    expect(await names('favourite=true')).toEqual(['bravo']);

    const renamed = await api(sq.url, 'PATCH', `/api/v1/models/${bravo.id}`, { rel_path: 'kept/bravo-v2.safetensors' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(await names('favourite=true')).toEqual(['bravo-v2']);

    const moved = await model('bravo-v2');
    const trashed = await api(sq.url, 'DELETE', `/api/v1/models/${moved.id}`);
    expect(trashed.status).toBe(200);
    expect(await names('favourite=true')).toEqual([]);
    expect((await api(sq.url, 'POST', `/api/v1/models/trash/${trashed.body.id}/restore`)).status).toBe(200);
    expect(await names('favourite=true')).toEqual(['bravo-v2']);
    expect((await model('bravo-v2')).favourite).toBe(true);

    await api(sq.url, 'PUT', `/api/v1/models/${(await model('bravo-v2')).id}/favourite`, { favourite: false });
    expect(await names('favourite=true')).toEqual([]);
  });

  it('collections: create, add models of any kind, filter, rename, remove a model, delete; names are unique', async () => {
    const created = await api(sq.url, 'POST', '/api/v1/models/collections', { name: 'Ink portraits' });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect((await api(sq.url, 'POST', '/api/v1/models/collections', { name: 'ink PORTRAITS' })).status).toBe(409);
    const alpha = await model('alpha');
    const ink = await model('ink');
    const added = await api(sq.url, 'POST', `/api/v1/models/collections/${id}/models`, { model_ids: [alpha.id, ink.id] });
    expect(added.body).toMatchObject({ id, name: 'Ink portraits', model_count: 2 });
    expect((await names(`collection=${id}`)).sort()).toEqual(['alpha', 'ink']);
    expect((await model('ink')).collection_ids).toEqual([id]);

    expect((await api(sq.url, 'PATCH', `/api/v1/models/collections/${id}`, { name: 'Ink' })).body.name).toBe('Ink');
    expect((await api(sq.url, 'DELETE', `/api/v1/models/collections/${id}/models/${alpha.id}`)).body.model_count).toBe(1);
    expect(await names(`collection=${id}`)).toEqual(['ink']);
    expect((await api(sq.url, 'DELETE', `/api/v1/models/collections/${id}`)).status).toBe(204);
    expect((await api(sq.url, 'GET', '/api/v1/models/collections')).body.collections).toEqual([]);
    expect((await model('ink')).collection_ids).toEqual([]);
    expect(fs.existsSync(path.join(tmp.dir, 'models', 'Lora', 'ink.safetensors'))).toBe(true);
  });

  it('answers bad input with 4xx and changes nothing', async () => {
    const alpha = await model('alpha');
    const bad: [string, string, unknown, number][] = [
      ['POST', '/api/v1/models/collections', { name: '   ' }, 400],
      ['POST', '/api/v1/models/collections', { name: 'x'.repeat(81) }, 400],
      ['POST', '/api/v1/models/collections', { name: 'ok', extra: 1 }, 400],
      ['PUT', `/api/v1/models/${alpha.id}/favourite`, { favourite: 'yes' }, 400],
      ['PUT', '/api/v1/models/999999/favourite', { favourite: true }, 404],
      ['POST', '/api/v1/models/collections/999999/models', { model_ids: [alpha.id] }, 404],
      ['PATCH', '/api/v1/models/collections/999999', { name: 'n' }, 404],
      ['GET', '/api/v1/models?collection=abc', undefined, 400],
      ['GET', '/api/v1/models?sort=popular', undefined, 400],
    ];
    for (const [method, url, body, status] of bad) expect((await api(sq.url, method, url, body)).status, `${method} ${url}`).toBe(status);
    const c = await api(sq.url, 'POST', '/api/v1/models/collections', { name: 'mixed' });
    expect((await api(sq.url, 'POST', `/api/v1/models/collections/${c.body.id}/models`, { model_ids: [alpha.id, 999999] })).status).toBe(404);
    expect((await names(`collection=${c.body.id}`))).toEqual([]);
  });

  it('sorts by use: most jobs first, then most recent', async () => {
    const run = async (checkpoint: string) => {
      const job = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'x', checkpoint_name: checkpoint, steps: 2, width: 64, height: 64 } });
      expect(job.status, JSON.stringify(job.body)).toBe(202);
      await waitForJobs(sq.url, [job.body.mobilesd_job_id]);
    };
    await run('charlie.safetensors');
    await run('charlie.safetensors');
    await run('alpha.safetensors');
    const usage = await waitFor(async () => {
      const list = await names('kind=checkpoint&sort=usage');
      return list[0] === 'charlie' ? list : null;
    }, { what: 'usage sort', timeoutMs: 45_000 });
    expect(usage.slice(0, 2)).toEqual(['charlie', 'alpha']);
    expect((await names('kind=checkpoint&sort=recent')).slice(0, 2)).toEqual(['alpha', 'charlie']);
    expect(await names('kind=checkpoint&sort=usage&limit=1&offset=1')).toEqual(['alpha']);
  });
});
