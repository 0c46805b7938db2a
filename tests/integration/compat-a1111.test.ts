/**
 * The A1111-compatible facade end to end: a real engine on loopback, two Forge emulators,
 * and an A1111 client written only from A1111's API documentation (Python urllib with
 * --api-auth style basic auth), run as a real child process.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../electron/engine/results/png-text.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { createForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

/** An A1111 API client as its docs show it: POST the payload, read images and info. */
const PYTHON_CLIENT = `
import base64, json, sys, urllib.request
base, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
payload = {"prompt": "a lighthouse at dusk", "negative_prompt": "fog", "steps": 6, "width": 64, "height": 64,
           "seed": 1234, "sampler_name": "Euler a", "cfg_scale": 6.5}
request = urllib.request.Request(base + "/sdapi/v1/txt2img", data=json.dumps(payload).encode("utf-8"),
                                 headers={"Content-Type": "application/json"})
token = base64.b64encode((user + ":" + password).encode()).decode()
request.add_header("Authorization", "Basic " + token)
with urllib.request.urlopen(request, timeout=120) as response:
    r = json.load(response)
info = json.loads(r["info"])
image = base64.b64decode(r["images"][0])
print(json.dumps({"count": len(r["images"]), "png": image[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "image_b64": r["images"][0],
                  "seed": info["seed"], "all_seeds": info["all_seeds"], "infotexts": info["infotexts"],
                  "prompt": info["prompt"], "parameters_prompt": r["parameters"]["prompt"], "steps": r["parameters"]["steps"]}))
`;

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', PYTHON_CLIENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

type Key = { id: string; key: string; secret: string };
const basic = (k: Key) => ({ authorization: `Basic ${Buffer.from(`${k.key}:${k.secret}`).toString('base64')}` });

describe('A1111-compatible facade at /compat/a1111', () => {
  let sq: TestEngine;
  let forges: ForgeEmulator[];
  let first: Key;
  let second: Key;
  const base = () => `${sq.url}/compat/a1111`;

  beforeAll(async () => {
    sq = await startTestEngine();
    forges = await addForgeServers(sq.url, 2, { stepMs: 40 });
    const create = async (name: string) => (await api(sq.url, 'POST', '/api/v1/api-keys', { name, permissions: ['submit', 'read'] })).body as Key;
    first = await create('first client');
    second = await create('second client');
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forges.map((f) => f.close()));
  });

  it('a documented A1111 client gets base64 images with the right infotext while both servers run other jobs; its job is in the gallery; another client does not see it', async () => {
    // Two other jobs keep both Forge servers busy first.
    const others = [];
    for (let i = 0; i < 2; i++) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'auto', generation_params: { positive_prompt: `other ${i}`, steps: 12, width: 64, height: 64 } });
      others.push(res.body.mobilesd_job_id as string);
    }
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/queue/jobs?status=processing')).body.jobs.length === 2, { what: 'both servers busy' });

    const client = runPython([base(), first.key, first.secret]);

    // While the client waits, its own /progress shows its job; the second client's shows nothing.
    const seen = await waitFor(async () => {
      const own = await api(base(), 'GET', '/sdapi/v1/progress', undefined, basic(first));
      return own.body.state.job_count > 0 ? own.body : null;
    }, { what: 'the first client to see its job in /progress' });
    expect(seen.state.job_count).toBe(1);
    const other = await api(base(), 'GET', '/sdapi/v1/progress', undefined, basic(second));
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ progress: 0, current_image: null, state: { job_count: 0 } });

    const result = await client;
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ count: 1, png: true, seed: 1234, all_seeds: [1234], prompt: 'a lighthouse at dusk', parameters_prompt: 'a lighthouse at dusk', steps: 6 });
    // The infotext names the prompt, the negative prompt and the seed, and is the PNG's own parameters chunk.
    const infotext: string = out.infotexts[0];
    expect(infotext).toMatch(/^a lighthouse at dusk\nNegative prompt: fog\nSteps: 6, Sampler: Euler a,.*CFG scale: 6\.5, Seed: 1234, Size: 64x64/);
    expect(readPngText(Buffer.from(out.image_b64, 'base64')).parameters).toBe(infotext);

    // The job is a normal queue job from the a1111_api door, named after the client, with its image in the gallery.
    const list = await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api');
    expect(list.body.jobs).toHaveLength(1);
    const job = list.body.jobs[0];
    expect(job).toMatchObject({ status: 'completed', positive_prompt: 'a lighthouse at dusk', source_info: 'a1111_api' });
    expect(job.metadata.compat).toMatchObject({ door: 'a1111', client_name: expect.stringMatching(/^Python-urllib\//) });
    const row = sq.engine.db.prepare('SELECT api_key_id FROM jobs WHERE mobilesd_job_id = ?').get(job.mobilesd_job_id) as { api_key_id: string };
    expect(row.api_key_id).toBe(first.id);
    const gallery = await api(sq.url, 'GET', `/api/v1/gallery/images?job_id=${job.mobilesd_job_id}`);
    expect(gallery.body.images).toHaveLength(1);
    const download = await fetch(`${sq.url}/api/v1/images/${gallery.body.images[0].id}/download`);
    expect(Buffer.from(await download.arrayBuffer()).toString('base64')).toBe(out.image_b64);

    await waitForJobs(sq.url, others);
  }, 60_000);
});

describe('A1111 facade: lists, options, errors and the caller\'s own job', () => {
  let sq: TestEngine;
  let forges: ForgeEmulator[];
  let alice: Key;
  let bob: Key;
  const base = () => `${sq.url}/compat/a1111`;
  const TXT = { prompt: 'a red boat', steps: 4, width: 64, height: 64 };

  beforeAll(async () => {
    sq = await startTestEngine();
    forges = [
      await createForgeEmulator({ stepMs: 5, models: ['sdxl/juggernautXL.safetensors', 'sd15/dreamshaper_8.safetensors'] }),
      await createForgeEmulator({ stepMs: 5, models: ['flux/flux1-dev.safetensors', 'sd15/dreamshaper_8.safetensors'] }),
    ];
    for (const [i, emu] of forges.entries()) {
      await api(sq.url, 'POST', '/api/v1/servers', { alias: `f${i + 1}`, app_type: 'forge', api_url: emu.url });
    }
    const create = async (name: string) => (await api(sq.url, 'POST', '/api/v1/api-keys', { name, permissions: ['submit', 'read'] })).body as Key;
    alice = await create('alice');
    bob = await create('bob');
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forges.map((f) => f.close()));
  });

  it('lists are the union of the Forge servers in A1111 shapes', async () => {
    const models = await api(base(), 'GET', '/sdapi/v1/sd-models', undefined, basic(alice));
    expect(models.status).toBe(200);
    const titles = models.body.map((m: any) => m.model_name).sort();
    expect(titles).toEqual(['flux_flux1-dev', 'sd15_dreamshaper_8', 'sdxl_juggernautXL']);
    expect(models.body[0]).toEqual(expect.objectContaining({ title: expect.any(String), filename: expect.any(String) }));
    for (const list of ['samplers', 'schedulers', 'upscalers', 'sd-modules', 'loras', 'prompt-styles']) {
      const res = await api(base(), 'GET', `/sdapi/v1/${list}`, undefined, basic(alice));
      expect(res.status, list).toBe(200);
      expect(Array.isArray(res.body), list).toBe(true);
    }
    const samplers = (await api(base(), 'GET', '/sdapi/v1/samplers', undefined, basic(alice))).body;
    expect(new Set(samplers.map((s: any) => s.name)).size).toBe(samplers.length);
    expect(samplers[0]).toEqual(expect.objectContaining({ name: expect.any(String), aliases: expect.any(Array) }));
    // Forge has no /sd-vae: the union of nothing is an empty list, not an error.
    expect((await api(base(), 'GET', '/sdapi/v1/sd-vae', undefined, basic(alice))).body).toEqual([]);
    const embeddings = await api(base(), 'GET', '/sdapi/v1/embeddings', undefined, basic(alice));
    expect(embeddings.body).toEqual(expect.objectContaining({ loaded: expect.any(Object) }));
    for (const single of ['cmd-flags', 'memory']) {
      const res = await api(base(), 'GET', `/sdapi/v1/${single}`, undefined, basic(alice));
      expect(res.status, single).toBe(200);
      expect(typeof res.body, single).toBe('object');
    }
  });

  it('POST /options sd_model_checkpoint is the caller\'s own default checkpoint; an unknown one is A1111\'s 500', async () => {
    const bad = await api(base(), 'POST', '/sdapi/v1/options', { sd_model_checkpoint: 'nope.safetensors' }, basic(alice));
    expect(bad.status).toBe(500);
    expect(bad.body).toEqual({ error: 'RuntimeError', detail: '', body: '', errors: "model 'nope.safetensors' not found" });

    const set = await api(base(), 'POST', '/sdapi/v1/options', { sd_model_checkpoint: 'flux1-dev' }, basic(alice));
    expect(set.status).toBe(200);
    expect(set.body).toBeNull();
    expect((await api(base(), 'GET', '/sdapi/v1/options', undefined, basic(alice))).body.sd_model_checkpoint).toBe('flux1-dev');
    expect((await api(base(), 'GET', '/sdapi/v1/options', undefined, basic(bob))).body.sd_model_checkpoint).not.toBe('flux1-dev');

    // Alice's job goes to the only server with that model, with its exact title.
    const res = await api(base(), 'POST', '/sdapi/v1/txt2img', TXT, basic(alice));
    expect(res.status).toBe(200);
    const sent = forges[1].requests.filter((r) => r.path === '/sdapi/v1/txt2img').at(-1);
    expect((sent?.body as any).override_settings.sd_model_checkpoint).toMatch(/^flux\/flux1-dev\.safetensors/);
    // override_settings in the request wins over the caller's default.
    const explicit = await api(base(), 'POST', '/sdapi/v1/txt2img', { ...TXT, override_settings: { sd_model_checkpoint: 'juggernautXL' } }, basic(alice));
    expect(explicit.status).toBe(200);
    expect(JSON.parse(explicit.body.info).sd_model_name).toMatch(/juggernautXL/);
  });

  it('bad input gets A1111\'s 422 and 404 and queues nothing; unauthorised gets 401 and a foreign Origin 403 in A1111\'s shape', async () => {
    const before = (await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api')).body.total;
    const typed = await api(base(), 'POST', '/sdapi/v1/txt2img', { ...TXT, steps: 'many' }, basic(alice));
    expect(typed.status).toBe(422);
    expect(typed.body).toEqual({ detail: [{ loc: ['body', 'steps'], msg: 'value is not a valid integer', type: 'type_error.integer' }] });
    const limit = await api(base(), 'POST', '/sdapi/v1/txt2img', { ...TXT, width: 100000 }, basic(alice));
    expect(limit.status).toBe(422);
    expect(limit.body.detail[0].loc).toEqual(['body', 'width']);
    const noImage = await api(base(), 'POST', '/sdapi/v1/img2img', TXT, basic(alice));
    expect(noImage.status).toBe(404);
    expect(noImage.body).toEqual({ error: 'HTTPException', detail: 'Init image not found', body: '', errors: '404: Init image not found' });
    expect((await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api')).body.total).toBe(before);

    const wrong = await api(base(), 'POST', '/sdapi/v1/txt2img', TXT, basic({ ...alice, secret: 'wrong' }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic');
    expect(wrong.body).toEqual({ error: 'HTTPException', detail: expect.stringMatching(/wrong/), body: '', errors: expect.stringMatching(/^401: /) });
    const notAKey = await api(base(), 'GET', '/sdapi/v1/sd-models', undefined, { authorization: `Basic ${Buffer.from('admin:hunter2').toString('base64')}` });
    expect(notAKey.status).toBe(401);
    expect(notAKey.body.error).toBe('HTTPException');

    const foreign = await api(base(), 'POST', '/sdapi/v1/txt2img', TXT, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({ error: 'HTTPException', detail: expect.stringMatching(/Cross-site/), body: '', errors: expect.stringMatching(/^403: /) });
    expect((await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api')).body.total).toBe(before);
  });

  it('interrupt stops only the caller\'s own running job; a client that disconnects still gets its job into the gallery', async () => {
    for (const f of forges) f.setStepMs(150);
    try {
      const abort = new AbortController();
      const call = fetch(`${base()}/sdapi/v1/txt2img`, {
        method: 'POST', body: JSON.stringify({ ...TXT, prompt: 'left behind', steps: 10 }), signal: abort.signal,
        headers: { 'content-type': 'application/json', ...basic(alice) },
      }).catch((e: Error) => e);
      const job = await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api&status=processing')).body.jobs[0]);
      // Bob's interrupt touches nothing of Alice's.
      expect((await api(base(), 'POST', '/sdapi/v1/interrupt', undefined, basic(bob))).body).toEqual({});
      abort.abort();
      expect(await call).toBeInstanceOf(Error);
      const [done] = await waitForJobs(sq.url, [job.mobilesd_job_id]);
      expect(done.status).toBe('completed');
      expect(done.images).toHaveLength(1);

      // Alice's own interrupt stops her running job; her call answers 200 as A1111 does.
      const running = api(base(), 'POST', '/sdapi/v1/txt2img', { ...TXT, prompt: 'stopped', steps: 40 }, basic(alice));
      await waitFor(async () => (await api(base(), 'GET', '/sdapi/v1/progress', undefined, basic(alice))).body.state.sampling_step > 0, { what: 'alice running' });
      expect((await api(base(), 'POST', '/sdapi/v1/interrupt', undefined, basic(alice))).status).toBe(200);
      const stopped = await running;
      expect(stopped.status).toBe(200);
      const row = sq.engine.db.prepare("SELECT status FROM jobs WHERE positive_prompt = 'stopped'").get() as { status: string };
      expect(row.status).toBe('cancelled');
    } finally {
      for (const f of forges) f.setStepMs(5);
    }
  }, 60_000);

  it('a facade job is a normal queue job: it waits behind the pause, can be moved and cancelled from the Queue, and the call then answers as A1111 does', async () => {
    expect((await api(sq.url, 'POST', '/api/v1/queue/pause')).status).toBe(200);
    try {
      const call = api(base(), 'POST', '/sdapi/v1/txt2img', { ...TXT, prompt: 'waits in the queue' }, basic(bob));
      const job = await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api&status=pending')).body.jobs[0]);
      expect(job.positive_prompt).toBe('waits in the queue');
      expect((await api(base(), 'GET', '/sdapi/v1/progress', undefined, basic(bob))).body).toMatchObject({
        progress: 0, state: { job_count: 1 }, textinfo: expect.stringMatching(/Waiting in the StableQueue queue/),
      });
      expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${job.mobilesd_job_id}/reorder`, { to: 'top' })).status).toBe(200);
      expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${job.mobilesd_job_id}/cancel`)).status).toBe(200);
      const answer = await call;
      expect(answer.status).toBe(200);
      expect(answer.body.images).toEqual([]);
      expect(JSON.parse(answer.body.info)).toMatchObject({ prompt: 'waits in the queue', infotexts: [] });
    } finally {
      await api(sq.url, 'POST', '/api/v1/queue/resume');
    }
  });

  it('a job that keeps the server\'s grid answers in A1111\'s order: grid first, index_of_first_image 1, one infotext per grid and result', async () => {
    const res = await api(base(), 'POST', '/sdapi/v1/txt2img', { ...TXT, batch_size: 2, save_images: true, keep_extra_images: true, seed: 5 }, basic(alice));
    expect(res.status).toBe(200);
    const info = JSON.parse(res.body.info);
    expect(res.body.images).toHaveLength(3);
    expect(info).toMatchObject({ index_of_first_image: 1, all_seeds: [5, 6], seed: 5 });
    expect(info.infotexts).toHaveLength(3);
    expect(info.infotexts[1]).toMatch(/Seed: 5,/);
    expect(info.infotexts[2]).toMatch(/Seed: 6,/);
    expect(readPngText(Buffer.from(res.body.images[1], 'base64')).parameters).toBe(info.infotexts[1]);
  });
});

describe('A1111-compatible facade with no Forge/A1111 server to run anything', () => {
  let sq: TestEngine;
  beforeAll(async () => { sq = await startTestEngine(); });
  afterAll(async () => { await sq.stop(); });

  it('txt2img and img2img answer A1111\'s error shape at once (503) and queue nothing when no enabled server is registered', async () => {
    const base = `${sq.url}/compat/a1111`;
    const body = { prompt: 'nowhere to run', steps: 4, width: 64, height: 64 };
    // None registered, then only a disabled one: either way nothing could ever run the job.
    for (const setup of [async () => {}, async () => { await api(sq.url, 'POST', '/api/v1/servers', { alias: 'off', app_type: 'forge', api_url: 'http://127.0.0.1:1', enabled: false }); }]) {
      await setup();
      for (const [route, payload] of [['/sdapi/v1/txt2img', body], ['/sdapi/v1/img2img', { ...body, init_images: ['aGVsbG8='] }]] as const) {
        const started = Date.now();
        const res = await api(base, 'POST', route, payload);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ error: 'HTTPException', detail: expect.stringMatching(/No Forge\/A1111 server is configured/), body: '', errors: expect.stringMatching(/^503: No Forge/) });
      }
    }
    expect((await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api')).body.total).toBe(0);
  });
});
