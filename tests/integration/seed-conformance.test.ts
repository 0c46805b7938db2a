/**
 * A client written from the user's two plans alone must work: every request/response
 * example of the Forge extension plan (API keys, the auth middleware's answers,
 * POST /api/v2/generate, the job status, the queue endpoints) and of the StableQueue plan
 * (queue and gallery endpoints, the v2 status with application_specific_data, metadata,
 * result_details with image file names and the error, seeds given as '' or text), walked
 * against the real headless server (`node electron/headless.ts` as a child process) with
 * emulated Forge and ComfyUI servers. Paths, fields and status codes are the plans'.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComfyEmulator, type ComfyEmulator } from '../emulators/comfyui/index.ts';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process.ts';
import { api, waitFor } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/** The Forge extension's POST /api/v2/generate body, exactly as that client sends it. */
const PLAN_V2_REQUEST = {
  app_type: 'forge',
  target_server_alias: 'MyForgeServer',
  priority: 1,
  generation_params: {
    positive_prompt: 'a beautiful landscape',
    negative_prompt: 'ugly, blurry',
    checkpoint_name: 'Pony/cyberrealisticPony_v8.safetensors',
    width: 512,
    height: 512,
    steps: 20,
    cfg_scale: 7,
    sampler_name: 'Euler',
    restore_faces: false,
    scheduler_or_quality_preset: 'Balanced',
  },
  source_info: 'forge_extension',
};

const COMFY_WORKFLOW = {
  1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
  2: { class_type: 'CLIPTextEncode', inputs: { text: 'a red fox in snow', clip: ['1', 1] } },
  3: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['1', 1] } },
  4: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
  5: { class_type: 'KSampler', inputs: { seed: 7, steps: 3, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0] } },
  6: { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
  7: { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'conformance' } },
};

type Key = { id: string; key: string; secret: string };
const keyHeaders = (k: Key, secret = k.secret) => ({ 'X-API-Key': k.key, 'X-API-Secret': secret });

/** What the plans' clients print on failure: `error` must be a sentence for people, `code` the stable code. */
function expectReadableV2Error(body: any, code: string): void {
  expect(body.code).toBe(code);
  expect(typeof body.error).toBe('string');
  expect(body.error).toMatch(/\s/);
  expect(body.error).not.toBe(code);
  expect(body.message).toBe(body.error);
}

/** A GET with the path sent exactly as written (fetch would resolve `..` before sending). */
function rawGet(port: number, rawPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the user plans\' API, example by example, against the headless server', () => {
  const tmp = makeTempDir('sq-seed-conformance-');
  let sq: HeadlessProcess;
  let forge: ForgeEmulator;
  let comfy: ComfyEmulator;
  let extension: Key;
  let reader: Key;
  let submitter: Key;
  const v2 = (method: string, p: string, body?: unknown, k: Key = extension) => api(sq.url, method, p, body, keyHeaders(k));
  const ui = (method: string, p: string, body?: unknown) => api(sq.url, method, p, body);
  const finished = (id: string) => waitFor(async () => {
    const res = await ui('GET', `/api/v1/queue/jobs/${id}/status`);
    return ['completed', 'failed', 'cancelled'].includes(res.body?.status) ? res.body : null;
  }, { timeoutMs: 60_000, intervalMs: 50, what: `job ${id} to finish` });

  beforeAll(async () => {
    forge = await createForgeEmulator({ stepMs: 2, alwaysonScripts: ['ADetailer'] });
    comfy = await createComfyEmulator({ stepMs: 2 });
    sq = await startHeadless({ STABLEQUEUE_DATA_DIR: tmp.dir, STABLEQUEUE_PASSWORD: '', STABLE_DIFFUSION_SAVE_PATH: path.join(tmp.dir, 'outputs') });
    // stablequeue-plan Phase 1: servers at /api/v1/servers.
    expect((await ui('POST', '/api/v1/servers', { alias: 'MyForgeServer', app_type: 'forge', api_url: forge.url })).status).toBe(201);
    expect((await ui('POST', '/api/v1/servers', { alias: 'MyComfyServer', app_type: 'comfyui', api_url: comfy.url })).status).toBe(201);
    await waitFor(async () => (await ui('GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  }, 90_000);

  afterAll(async () => {
    await sq?.terminate();
    await Promise.all([forge?.close(), comfy?.close()]);
    tmp.cleanup();
  });

  it('API keys are listed, created, updated and deleted at /api/v1/api-keys', async () => {
    const created = await ui('POST', '/api/v1/api-keys', { name: 'Forge extension', permissions: ['submit', 'read'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Forge extension', is_active: true, permissions: ['submit', 'read'], last_used: null });
    expect(created.body.id).toEqual(expect.any(String));
    expect(created.body.key).toEqual(expect.any(String));
    expect(created.body.secret).toEqual(expect.any(String));
    expect(created.body.created_at).toMatch(ISO);
    extension = created.body;
    reader = (await ui('POST', '/api/v1/api-keys', { name: 'reader', permissions: ['read'] })).body;
    submitter = (await ui('POST', '/api/v1/api-keys', { name: 'submitter', permissions: ['submit'] })).body;

    const listed = await ui('GET', '/api/v1/api-keys');
    expect(listed.status).toBe(200);
    const rows: any[] = Array.isArray(listed.body) ? listed.body : listed.body.keys ?? listed.body.api_keys;
    const row = rows.find((k) => k.id === extension.id);
    expect(row).toMatchObject({ name: 'Forge extension', key: extension.key });
    expect(row.secret).toBeUndefined();

    const temporary = (await ui('POST', '/api/v1/api-keys', { name: 'temporary' })).body;
    const disabled = await ui('PUT', `/api/v1/api-keys/${temporary.id}`, { is_active: false, permissions: ['read'] });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ is_active: false, permissions: ['read'] });
    expect((await ui('DELETE', `/api/v1/api-keys/${temporary.id}`)).status).toBe(200);
    expect((await ui('GET', `/api/v1/api-keys/${temporary.id}`)).status).toBe(404);
  });

  it('without or with wrong credentials /api/v2 answers 401 with a readable `error`', async () => {
    const none = await api(sq.url, 'POST', '/api/v2/generate', PLAN_V2_REQUEST);
    expect(none.status).toBe(401);
    expectReadableV2Error(none.body, 'api_key_required');
    const wrong = await api(sq.url, 'POST', '/api/v2/generate', PLAN_V2_REQUEST, keyHeaders(extension, 'not-the-secret'));
    expect(wrong.status).toBe(401);
    expectReadableV2Error(wrong.body, 'invalid_api_key');
  });

  it('POST /api/v2/generate with the plan\'s body answers 200 {success, mobilesd_job_id, queue_position, estimated_start_time}', async () => {
    expect((await ui('POST', '/api/v1/queue/pause')).status).toBe(200);
    const res = await v2('POST', '/api/v2/generate', PLAN_V2_REQUEST);
    // The plan's client: `if response.status_code == 200: job_id = response.json()["mobilesd_job_id"]`.
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['estimated_start_time', 'mobilesd_job_id', 'queue_position', 'success']);
    expect(res.body.success).toBe(true);
    expect(res.body.mobilesd_job_id).toMatch(UUID);
    expect(res.body.queue_position).toBe(1);
    expect(res.body.estimated_start_time).toMatch(ISO);
    // Before it runs, the v2 status already names the server's title the checkpoint resolves to.
    const waiting = await v2('GET', `/api/v2/queue/jobs/${res.body.mobilesd_job_id}/status`);
    expect(waiting.body).toMatchObject({ status: 'pending', queue_position: 1, metadata: null });
    expect(waiting.body.application_specific_data.checkpoint_title).toMatch(/^Pony[/\\]cyberrealisticPony_v8\.safetensors/);

    // The plan's client prints `response.json().get('error')` for anything but 200.
    const unknown = await v2('POST', '/api/v2/generate', { ...PLAN_V2_REQUEST, target_server_alias: 'NoSuchServer' });
    expect(unknown.status).toBe(404);
    expectReadableV2Error(unknown.body, 'unknown_server');
    expect(unknown.body.error).toContain('NoSuchServer');
    const invalid = await v2('POST', '/api/v2/generate', { ...PLAN_V2_REQUEST, priority: 11 });
    expect(invalid.status).toBe(400);
    expectReadableV2Error(invalid.body, 'validation_error');
    expect(invalid.body.error).toContain('priority');
    const badJson = await api(sq.url, 'POST', '/api/v2/generate', '{"app_type": ', { ...keyHeaders(extension), 'content-type': 'application/json' });
    expect(badJson.status).toBe(400);
    expectReadableV2Error(badJson.body, 'invalid_json');

    expect((await ui('POST', '/api/v1/queue/resume')).status).toBe(200);
    const done = await finished(res.body.mobilesd_job_id);
    expect(done.status).toBe('completed');
  });

  it('GET /api/v1/queue/jobs/:jobId/status has the plan\'s fields, and images with preview and download URLs', async () => {
    const job = (await v2('POST', '/api/v2/generate', PLAN_V2_REQUEST)).body.mobilesd_job_id;
    await finished(job);
    const res = await v2('GET', `/api/v1/queue/jobs/${job}/status`);
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({
      mobilesd_job_id: job, app_type: 'forge', status: 'completed', progress: 100, target_server_alias: 'MyForgeServer',
      generation_params: {
        positive_prompt: 'a beautiful landscape', negative_prompt: 'ugly, blurry', checkpoint_name: 'Pony/cyberrealisticPony_v8.safetensors',
        width: 512, height: 512, steps: 20, cfg_scale: 7, sampler_name: 'Euler',
      },
    });
    expect(s.creation_timestamp).toMatch(ISO);
    expect(s.last_updated_timestamp).toMatch(ISO);
    expect(s).toHaveProperty('estimated_completion_time');
    expect(s.images).toHaveLength(1);
    expect(s.images[0]).toMatchObject({ width: 512, height: 512 });
    for (const url of [s.images[0].preview_url, s.images[0].download_url]) {
      const file = await fetch(`${sq.url}${url}`, { headers: keyHeaders(extension) });
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).subarray(0, 4)).toEqual(PNG);
    }
  });

  it('list by app_type and status, cancel, delete', async () => {
    expect((await ui('POST', '/api/v1/queue/pause')).status).toBe(200);
    const comfyJob = (await v2('POST', '/api/v2/generate', { app_type: 'comfyui', target_server_alias: 'MyComfyServer', generation_params: { workflow: COMFY_WORKFLOW } })).body.mobilesd_job_id;
    const forgeJob = (await v2('POST', '/api/v2/generate', PLAN_V2_REQUEST)).body.mobilesd_job_id;

    const forgeList = await v2('GET', '/api/v1/queue/jobs?app_type=forge');
    expect(forgeList.status).toBe(200);
    expect(forgeList.body.jobs.length).toBeGreaterThan(0);
    expect(forgeList.body.jobs.every((j: any) => j.app_type === 'forge')).toBe(true);
    expect(forgeList.body.jobs.map((j: any) => j.mobilesd_job_id)).toContain(forgeJob);
    const pending = await v2('GET', '/api/v1/queue/jobs?status=pending');
    expect(pending.body.jobs.map((j: any) => j.mobilesd_job_id).sort()).toEqual([comfyJob, forgeJob].sort());

    const cancelled = await v2('POST', `/api/v1/queue/jobs/${forgeJob}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ mobilesd_job_id: forgeJob, status: 'cancelled' });
    const deleted = await v2('DELETE', `/api/v1/queue/jobs/${comfyJob}`);
    expect(deleted.status).toBe(200);
    expect((await v2('GET', `/api/v1/queue/jobs/${comfyJob}/status`)).body.status).toBe('cancelled');
    expect((await v2('GET', '/api/v1/queue/jobs')).body.jobs.map((j: any) => j.mobilesd_job_id)).not.toContain(comfyJob);
    expect((await ui('POST', '/api/v1/queue/resume')).status).toBe(200);
  });

  it('a Forge job\'s metadata and application_specific_data at GET /api/v2/queue/jobs/:jobId/status', async () => {
    const metadata = { client: 'conformance test', tags: ['landscape', 'v2'], nested: { n: 1 } };
    const submit = await v2('POST', '/api/v2/generate', {
      ...PLAN_V2_REQUEST,
      generation_params: { ...PLAN_V2_REQUEST.generation_params, steps: 3, alwayson_scripts: { ADetailer: { args: [] } } },
      metadata,
    });
    expect(submit.status).toBe(200);
    const job = submit.body.mobilesd_job_id;
    await finished(job);

    const res = await v2('GET', `/api/v2/queue/jobs/${job}/status`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mobilesd_job_id: job, app_type: 'forge', status: 'completed', progress: 100, metadata });
    expect(res.body.application_specific_data).toMatchObject({
      checkpoint_name: 'Pony/cyberrealisticPony_v8.safetensors',
      alwayson_scripts: ['ADetailer'],
    });
    expect(res.body.application_specific_data.checkpoint_title).toMatch(/^Pony[/\\]cyberrealisticPony_v8\.safetensors/);
    // The same metadata on the v1 status and in the queue list.
    expect((await v2('GET', `/api/v1/queue/jobs/${job}/status`)).body.metadata).toEqual(metadata);
    const row = (await v2('GET', '/api/v1/queue/jobs?app_type=forge')).body.jobs.find((j: any) => j.mobilesd_job_id === job);
    expect(row.metadata).toEqual(metadata);
    // A job sent without metadata says so with null.
    const plain = (await v2('POST', '/api/v2/generate', { ...PLAN_V2_REQUEST, generation_params: { ...PLAN_V2_REQUEST.generation_params, steps: 2 } })).body.mobilesd_job_id;
    expect((await v2('GET', `/api/v2/queue/jobs/${plain}/status`)).body.metadata).toBeNull();
    await finished(plain);
  });

  it('a ComfyUI job\'s prompt_id, node count and output nodes; v2 status permissions as v1\'s', async () => {
    const submit = await v2('POST', '/api/v2/generate', {
      app_type: 'comfyui', target_server_alias: 'MyComfyServer', priority: 5,
      generation_params: { workflow: COMFY_WORKFLOW }, metadata: { from: 'comfyui extension' },
    });
    expect(submit.status).toBe(200);
    const job = submit.body.mobilesd_job_id;
    const done = await finished(job);
    expect(done.status).toBe('completed');

    // A key with `read` reads the status, as on v1; one without it gets a readable 403.
    const res = await v2('GET', `/api/v2/queue/jobs/${job}/status`, undefined, reader);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mobilesd_job_id: job, app_type: 'comfyui', status: 'completed', progress: 100, metadata: { from: 'comfyui extension' } });
    expect(res.body.application_specific_data).toMatchObject({ node_count: 7, output_node_ids: ['7'] });
    expect(res.body.application_specific_data.prompt_id).toEqual(expect.any(String));
    expect((await v2('GET', `/api/v1/queue/jobs/${job}/status`, undefined, submitter)).status).toBe(403);
    const denied = await v2('GET', `/api/v2/queue/jobs/${job}/status`, undefined, submitter);
    expect(denied.status).toBe(403);
    expectReadableV2Error(denied.body, 'permission_denied');
    const missing = await v2('GET', '/api/v2/queue/jobs/00000000-0000-4000-8000-000000000000/status');
    expect(missing.status).toBe(404);
    expectReadableV2Error(missing.body, 'job_not_found');
    expect((await v2('GET', '/api/v2/queue/jobs/not-a-uuid/status')).status).toBe(400);
  });

  it('result_details.images holds the saved file names, result_details.error the failure', async () => {
    const ok = (await v2('POST', '/api/v2/generate', { ...PLAN_V2_REQUEST, generation_params: { ...PLAN_V2_REQUEST.generation_params, steps: 2, batch_size: 2 } })).body.mobilesd_job_id;
    const done = await finished(ok);
    expect(done.status).toBe('completed');
    expect(done.result_details.images).toHaveLength(2);
    for (const [i, name] of (done.result_details.images as string[]).entries()) {
      expect(name).not.toContain('/');
      const byName = await fetch(`${sq.url}/gallery_files/${encodeURIComponent(name)}`);
      expect(byName.status).toBe(200);
      const byId = await fetch(`${sq.url}${done.images[i].download_url}`);
      expect(Buffer.from(await byName.arrayBuffer())).toEqual(Buffer.from(await byId.arrayBuffer()));
    }

    const bad = (await v2('POST', '/api/v2/generate', { ...PLAN_V2_REQUEST, generation_params: { ...PLAN_V2_REQUEST.generation_params, checkpoint_name: 'no-such-model.safetensors' } })).body.mobilesd_job_id;
    const failed = await finished(bad);
    expect(failed.status).toBe('failed');
    expect(failed.result_details.error).toEqual(expect.any(String));
    expect(failed.result_details.error).toBe(failed.error_message);
    expect(failed.result_details.error).toContain('no-such-model');
    expect(failed.result_details.images).toEqual([]);
  });

  it('gallery rows carry filename; GET /gallery_files/:filename and DELETE /api/v1/gallery/images/:filename look the name up', async () => {
    const page = await v2('GET', '/api/v1/gallery/images');
    expect(page.status).toBe(200);
    expect(page.body.images.length).toBeGreaterThan(1);
    for (const image of page.body.images) expect(image.filename).toMatch(/^[^/\\]+\.(png|jpg|webp)$/);
    const [victim, survivor] = page.body.images;

    const file = await fetch(`${sq.url}/gallery_files/${encodeURIComponent(victim.filename)}`, { headers: keyHeaders(reader) });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^image\//);
    // A key without `read` may not fetch files; a wrong key is refused.
    expect((await fetch(`${sq.url}/gallery_files/${encodeURIComponent(victim.filename)}`, { headers: keyHeaders(submitter) })).status).toBe(403);
    expect((await fetch(`${sq.url}/gallery_files/${encodeURIComponent(victim.filename)}`, { headers: keyHeaders(reader, 'wrong') })).status).toBe(401);

    // A file name is a key into the images table, never a path.
    const day = fs.readdirSync(path.join(tmp.dir, 'outputs'))[0];
    for (const attempt of [
      '/gallery_files/..%2Fstablequeue.db', '/gallery_files/..%2F..%2Fetc%2Fpasswd', '/gallery_files/%2e%2e%2fstablequeue.db',
      `/gallery_files/${day}%2F${victim.filename}`, '/gallery_files/../stablequeue.db', `/gallery_files/${day}/${victim.filename}`,
      '/gallery_files/', '/gallery_files/stablequeue.db', '/gallery_files/..', `/gallery_files/${victim.filename}%00.png`,
    ]) {
      expect(await rawGet(sq.port, attempt), attempt).toBe(404);
    }

    // Deleting by name: admin (the UI here); a read key may not.
    expect((await v2('DELETE', `/api/v1/gallery/images/${encodeURIComponent(victim.filename)}`, undefined, reader)).status).toBe(403);
    const deleted = await ui('DELETE', `/api/v1/gallery/images/${encodeURIComponent(victim.filename)}`);
    expect(deleted.status).toBe(200);
    expect((await fetch(`${sq.url}/gallery_files/${encodeURIComponent(victim.filename)}`)).status).toBe(404);
    expect((await ui('DELETE', `/api/v1/gallery/images/${encodeURIComponent(victim.filename)}`)).status).toBe(404);
    expect((await ui('DELETE', '/api/v1/gallery/images/..%2Fstablequeue.db')).status).toBe(404);
    const after = (await ui('GET', '/api/v1/gallery/images')).body.images.map((i: any) => i.filename);
    expect(after).not.toContain(victim.filename);
    expect(after).toContain(survivor.filename);
    expect(fs.existsSync(path.join(tmp.dir, 'outputs', day, victim.filename))).toBe(false);
    expect(fs.existsSync(path.join(tmp.dir, 'stablequeue.db'))).toBe(true);
  });

  it('POST /api/v1/generate answers 202 {mobilesd_job_id}; empty or non-numeric seeds become -1', async () => {
    expect((await ui('POST', '/api/v1/queue/pause')).status).toBe(200);
    const submit = async (params: Record<string, unknown>) =>
      ui('POST', '/api/v1/generate', { target_server_alias: 'MyForgeServer', generation_params: { positive_prompt: 'seeds', ...params } });
    const stored = async (params: Record<string, unknown>) => {
      const res = await submit(params);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(Object.keys(res.body)).toEqual(['mobilesd_job_id']);
      return (await ui('GET', `/api/v1/queue/jobs/${res.body.mobilesd_job_id}/status`)).body.generation_params;
    };
    expect(await stored({ seed: '', subseed: '' })).toMatchObject({ seed: -1, subseed: -1 });
    expect(await stored({ seed: 'random', subseed: 'abc' })).toMatchObject({ seed: -1, subseed: -1 });
    expect(await stored({ seed: null })).toMatchObject({ seed: -1 });
    expect(await stored({ seed: '42', subseed: 7 })).toMatchObject({ seed: 42, subseed: 7 });
    expect(await stored({ seed: -5 })).toMatchObject({ seed: -1 });

    for (const seed of [1.5, '1.5', 1e20, '99999999999999999999']) {
      const res = await submit({ seed });
      expect(res.status, `seed ${JSON.stringify(seed)}`).toBe(400);
      expect(res.body.error).toBe('validation_error');
      expect(res.body.message).toContain('seed');
    }
    const v2Bad = await v2('POST', '/api/v2/generate', { ...PLAN_V2_REQUEST, generation_params: { ...PLAN_V2_REQUEST.generation_params, subseed: 2.5 } });
    expect(v2Bad.status).toBe(400);
    expectReadableV2Error(v2Bad.body, 'validation_error');
    expect(v2Bad.body.error).toContain('subseed');
    expect((await ui('POST', '/api/v1/queue/clear')).status).toBe(200);
  });

  it('servers, checkpoint and LoRA lists answer in the plan\'s places', async () => {
    const servers = await ui('GET', '/api/v1/servers');
    expect(servers.status).toBe(200);
    expect(servers.body.map((s: any) => s.alias).sort()).toEqual(['MyComfyServer', 'MyForgeServer']);
    expect(servers.body.find((s: any) => s.alias === 'MyForgeServer')).toMatchObject({ app_type: 'forge', api_url: forge.url });
    for (const list of ['/api/v1/checkpoints', '/api/v1/loras']) {
      const res = await v2('GET', list, undefined, reader);
      expect(res.status, list).toBe(200);
      expect(Array.isArray(res.body), list).toBe(true);
    }
  });

  it('/api/v1/debug/verify-checkpoint matches a Windows-style path to the server\'s title', async () => {
    const res = await v2('GET', `/api/v1/debug/verify-checkpoint?name=${encodeURIComponent('Pony\\cyberrealisticPony_v8.safetensors')}&server=MyForgeServer`, undefined, reader);
    expect(res.status).toBe(200);
    expect(res.body.server).toMatchObject({ alias: 'MyForgeServer', checkpoints_known: true });
    expect(res.body.server.match.title).toMatch(/^Pony[/\\]cyberrealisticPony_v8\.safetensors/);
    const cache = await v2('GET', '/api/v1/debug/models-cache', undefined, reader);
    expect(cache.status).toBe(200);
    expect(Array.isArray(cache.body.models)).toBe(true);
  });
});
