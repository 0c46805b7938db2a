import { afterEach, describe, expect, it } from 'vitest';
import { createForgeEmulator, type ForgeEmulator, type ForgeEmulatorOptions } from '../../emulators/forge/index.ts';
import { makePng, readPngTextChunks } from '../../emulators/png.ts';

const open: ForgeEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function start(opts: ForgeEmulatorOptions = {}): Promise<ForgeEmulator> {
  const emu = await createForgeEmulator({ stepMs: 10, ...opts });
  open.push(emu);
  return emu;
}

function post(emu: ForgeEmulator, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(emu.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 3));
  }
}

interface GenerationResponse {
  images: string[];
  parameters: Record<string, unknown>;
  info: string;
}

describe('png helper', () => {
  it('writes real PNGs whose bytes depend on the seed and carry text chunks after IHDR', async () => {
    const a = await makePng({ width: 40, height: 24, seed: 1, text: { parameters: 'cat\nSteps: 5', note: 'café ✓' } });
    const b = await makePng({ width: 40, height: 24, seed: 2, text: {} });
    expect(a.subarray(1, 4).toString()).toBe('PNG');
    expect(a.toString('latin1', 37, 41)).toBe('tEXt'); // first chunk after IHDR
    expect(a.readUInt32BE(16)).toBe(40);
    expect(readPngTextChunks(a)).toEqual({ parameters: 'cat\nSteps: 5', note: 'café ✓' });
    expect(a.includes(Buffer.from('iTXt'))).toBe(true); // non-Latin-1 text goes to iTXt, like PIL
    expect(b.equals(await makePng({ width: 40, height: 24, seed: 1 }))).toBe(false);
  });
});

describe('generation', () => {
  it('queues a second txt2img behind the first (FIFO lock) instead of rejecting it', async () => {
    const emu = await start();
    const first = post(emu, '/sdapi/v1/txt2img', { prompt: 'one', steps: 6 });
    await waitFor(() => emu.generationLog.length === 1);
    const second = post(emu, '/sdapi/v1/txt2img', { prompt: 'two', steps: 3 });
    await waitFor(() => emu.state.queueLength === 2);
    const [r1, r2] = await Promise.all([first, second]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const [g1, g2] = emu.generationLog;
    expect(g1.requestId).toBeLessThan(g2.requestId);
    expect(g2.startedAt!).toBeGreaterThanOrEqual(g1.finishedAt!);
    expect(g2.receivedAt).toBeLessThan(g1.finishedAt!);
    expect(g1.respondedAt).toBeGreaterThan(g1.finishedAt!);
    expect(JSON.parse(((await r2.json()) as GenerationResponse).info).prompt).toBe('two');
  });

  it('returns images with a parameters infotext, info JSON and echoed parameters with defaults', async () => {
    const emu = await start();
    const res = await post(emu, '/sdapi/v1/txt2img', {
      prompt: 'a cat',
      negative_prompt: 'blurry',
      steps: 4,
      seed: 42,
      batch_size: 2,
      width: 64,
      height: 48,
      sampler_name: 'No Such Sampler',
      alwayson_scripts: { controlnet: { args: [{ enabled: true }] } },
      my_extension_field: 'ignored',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as GenerationResponse;
    expect(body.images).toHaveLength(2);
    expect(body.images[0].startsWith('data:')).toBe(false);
    const png = Buffer.from(body.images[1], 'base64');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([64, 48]);
    const infotext = readPngTextChunks(png).parameters;
    // unknown sampler falls back silently to the first one
    expect(infotext).toMatch(
      /^a cat\nNegative prompt: blurry\nSteps: 4, Sampler: DPM\+\+ 2M, Schedule type: Karras, CFG scale: 7\.0, Seed: 43, Size: 64x48, Model hash: [0-9a-f]{10}, Model: v1-5-pruned-emaonly, Version: /,
    );
    const info = JSON.parse(body.info);
    expect(info.seed).toBe(42);
    expect(info.all_seeds).toEqual([42, 43]);
    expect(info.infotexts[1]).toBe(infotext);
    expect(info.sd_model_name).toBe('v1-5-pruned-emaonly');
    expect(info.sd_model_hash).toMatch(/^[0-9a-f]{10}$/);
    expect(body.info).toContain('"all_seeds": [42, 43]'); // Python json.dumps spacing
    expect(body.parameters).toMatchObject({ prompt: 'a cat', steps: 4, cfg_scale: 7, sampler_index: 'Euler', n_iter: 1, send_images: true });
    expect(body.parameters).not.toHaveProperty('my_extension_field');
    // the full received body is recorded, pass-through fields included
    const recorded = emu.requests.find((r) => r.path === '/sdapi/v1/txt2img')!;
    expect(recorded.body).toMatchObject({ alwayson_scripts: { controlnet: { args: [{ enabled: true }] } }, my_extension_field: 'ignored' });
  });

  it('omits the negative prompt line when empty and draws a random seed for -1', async () => {
    const emu = await start();
    const body = (await (await post(emu, '/sdapi/v1/txt2img', { prompt: 'x', steps: 1, width: 8, height: 8 })).json()) as GenerationResponse;
    const info = JSON.parse(body.info);
    expect(info.infotexts[0]).toMatch(/^x\nSteps: 1, Sampler: Euler, /);
    expect(info.seed).toBeGreaterThanOrEqual(0);
    expect(body.parameters.seed).toBe(-1);
  });

  it('uses an override_settings checkpoint for the run only; unknown ones are dropped', async () => {
    const emu = await start();
    const before = emu.state.selectedModel;
    const pony = 'Pony/cyberrealisticPony_v8.safetensors';
    const body = (await (
      await post(emu, '/sdapi/v1/txt2img', { prompt: 'p', steps: 1, width: 8, height: 8, override_settings: { sd_model_checkpoint: pony } })
    ).json()) as GenerationResponse;
    expect(JSON.parse(body.info).sd_model_name).toBe('cyberrealisticPony_v8');
    expect(emu.state.selectedModel).toBe(before);
    const res = await post(emu, '/sdapi/v1/txt2img', { steps: 1, width: 8, height: 8, override_settings: { sd_model_checkpoint: 'nope.safetensors' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(((await res.json()) as GenerationResponse).info).sd_model_name).toBe('v1-5-pruned-emaonly');
  });

  it('img2img without init_images is a 404; unknown scripts are 422; bad types are 422', async () => {
    const emu = await start();
    const noInit = await post(emu, '/sdapi/v1/img2img', { prompt: 'x' });
    expect(noInit.status).toBe(404);
    expect(await noInit.json()).toEqual({ detail: 'Init image not found' });

    const script = await post(emu, '/sdapi/v1/txt2img', { script_name: 'Nope' });
    expect(script.status).toBe(422);
    expect(await script.json()).toEqual({ detail: "Script 'Nope' not found" });
    const alwayson = await post(emu, '/sdapi/v1/txt2img', { alwayson_scripts: { 'Not Installed': { args: [] } } });
    expect(alwayson.status).toBe(422);

    const invalid = await post(emu, '/sdapi/v1/txt2img', { steps: 'abc' });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({
      detail: [
        {
          type: 'int_parsing',
          loc: ['body', 'steps'],
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          input: 'abc',
          url: 'https://errors.pydantic.dev/2.8/v/int_parsing',
        },
      ],
    });
    expect(emu.generationLog).toHaveLength(0);

    const init = (await makePng({ width: 16, height: 16, seed: 3 })).toString('base64');
    const ok = await post(emu, '/sdapi/v1/img2img', { init_images: [`data:image/png;base64,${init}`], steps: 4, width: 16, height: 16 });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as GenerationResponse).parameters.init_images).toBeNull();
    const bad = await post(emu, '/sdapi/v1/img2img', { init_images: ['not an image'], steps: 1 });
    expect(bad.status).toBe(500);
    expect(await bad.json()).toEqual({ detail: 'Invalid encoded image' });
  });

  it('a1111 flavor: pydantic v1 validation, HTTPException shape and X-Process-Time', async () => {
    const emu = await start({ flavor: 'a1111' });
    const invalid = await post(emu, '/sdapi/v1/txt2img', { steps: 'abc' });
    expect(await invalid.json()).toEqual({ detail: [{ loc: ['body', 'steps'], msg: 'value is not a valid integer', type: 'type_error.integer' }] });
    const noInit = await post(emu, '/sdapi/v1/img2img', {});
    expect(noInit.status).toBe(404);
    expect(await noInit.json()).toEqual({ error: 'HTTPException', detail: 'Init image not found', body: '', errors: '404: Init image not found' });
    expect(noInit.headers.get('x-process-time')).toMatch(/^\d+\.\d+$/);
    expect((await fetch(`${emu.url}/sdapi/v1/sd-vae`)).status).toBe(200);
    expect((await fetch(`${emu.url}/sdapi/v1/sd-modules`)).status).toBe(404);
  });
});

describe('progress, interrupt and skip', () => {
  it('reports the idle shape and the running shape with a live preview', async () => {
    const emu = await start({ stepMs: 15, options: { show_progress_every_n_steps: 1 } });
    const idle = await (await fetch(`${emu.url}/sdapi/v1/progress?skip_current_image=false`)).json();
    expect(idle).toEqual({
      progress: 0,
      eta_relative: 0,
      state: expect.objectContaining({ job_count: 0, job: '', interrupted: false, skipped: false }),
      current_image: null,
      textinfo: null,
      current_task: null,
    });

    const gen = post(emu, '/sdapi/v1/txt2img', { prompt: 'p', steps: 12, n_iter: 2, width: 32, height: 32 });
    await waitFor(() => Number(emu.state.progress.sampling_step) >= 3);
    const running = (await (await fetch(`${emu.url}/sdapi/v1/progress`)).json()) as Record<string, any>;
    expect(Object.keys(running)).toEqual(['progress', 'eta_relative', 'state', 'current_image', 'textinfo', 'current_task']);
    expect(running.current_task).toMatch(/^task\(txt2img-[A-Z0-9]{7}\)$/);
    expect(Object.keys(running.state)).toEqual([
      'skipped', 'interrupted', 'stopping_generation', 'job', 'job_count', 'job_timestamp', 'job_no', 'sampling_step', 'sampling_steps',
    ]);
    const s = running.state;
    expect(s).toMatchObject({ job: 'Batch 1 out of 2', job_count: 2, job_no: 0, sampling_steps: 12 });
    expect(s.job_timestamp).toMatch(/^\d{14}$/);
    const expected = Math.min(1, 0.01 + s.job_no / s.job_count + s.sampling_step / s.sampling_steps / s.job_count);
    expect(running.progress).toBeCloseTo(expected, 6);
    expect(running.eta_relative).toBeGreaterThan(0);
    expect(readPngTextChunks(Buffer.from(running.current_image, 'base64'))).toEqual({});
    const skipped = (await (await fetch(`${emu.url}/sdapi/v1/progress?skip_current_image=true`)).json()) as Record<string, any>;
    expect(skipped.current_image).toBeNull();
    await gen;
  });

  it('interrupt stops the running job, which still answers 200 with its images so far', async () => {
    const emu = await start({ stepMs: 15 });
    const gen = post(emu, '/sdapi/v1/txt2img', { prompt: 'p', steps: 10, n_iter: 3, batch_size: 1, width: 16, height: 16 });
    await waitFor(() => emu.state.progress.job_no === 1 && Number(emu.state.progress.sampling_step) >= 1);
    expect(await (await post(emu, '/sdapi/v1/interrupt', {})).json()).toEqual({});
    const res = await gen;
    expect(res.status).toBe(200);
    const body = (await res.json()) as GenerationResponse;
    // batch 1 finished, batch 2 stopped early but still decoded, batch 3 never ran
    expect(body.images).toHaveLength(2);
    expect(emu.generationLog[0].interrupted).toBe(true);
    expect(emu.state.progress.interrupted).toBe(true); // flags stay until the next job begins

    const next = (await (await post(emu, '/sdapi/v1/txt2img', { steps: 2, n_iter: 2, width: 8, height: 8 })).json()) as GenerationResponse;
    expect(next.images).toHaveLength(2);
    expect(emu.generationLog[1].interrupted).toBe(false);
  });

  it('an interrupt while idle does not affect the next job; one before sampling gives images: []', async () => {
    const emu = await start({ modelLoadMs: 150 });
    expect(await (await post(emu, '/sdapi/v1/interrupt', {})).json()).toEqual({});
    expect(await (await post(emu, '/sdapi/v1/skip', {})).json()).toBeNull();
    const first = (await (await post(emu, '/sdapi/v1/txt2img', { steps: 2, width: 8, height: 8 })).json()) as GenerationResponse;
    expect(first.images).toHaveLength(1);

    // switching checkpoints takes modelLoadMs; interrupting then leaves nothing to decode
    const gen = post(emu, '/sdapi/v1/txt2img', { steps: 2, override_settings: { sd_model_checkpoint: 'sdxl/juggernautXL_v9.safetensors' } });
    await waitFor(() => emu.state.progress.job_count === -1);
    await post(emu, '/sdapi/v1/interrupt', {});
    const body = (await (await gen).json()) as GenerationResponse;
    expect(body.images).toEqual([]);
    expect(JSON.parse(body.info).infotexts).toHaveLength(1);
  });
});

describe('models and options', () => {
  it('lists checkpoints with short hashes, sha256 and absolute filenames', async () => {
    const emu = await start();
    const models = (await (await fetch(`${emu.url}/sdapi/v1/sd-models`)).json()) as Record<string, string | null>[];
    expect(models.map((m) => m.title?.replace(/ \[.*\]$/, ''))).toEqual([
      'v1-5-pruned-emaonly.safetensors',
      'Pony/cyberrealisticPony_v8.safetensors',
      'sdxl/juggernautXL_v9.safetensors',
    ]);
    for (const m of models) {
      expect(m.title).toBe(`${m.title!.split(' [')[0]} [${m.hash}]`);
      expect(m.hash).toMatch(/^[0-9a-f]{10}$/);
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(m.sha256!.startsWith(m.hash!)).toBe(true);
      expect(m.filename!.startsWith('/')).toBe(true);
      expect(m.config).toBeNull();
    }
    expect(models[1].model_name).toBe('Pony_cyberrealisticPony_v8');
    const options = (await (await fetch(`${emu.url}/sdapi/v1/options`)).json()) as Record<string, unknown>;
    expect(options.sd_model_checkpoint).toBe(models[0].title);
    expect(options.forge_preset).toBe('sd');
    expect((await fetch(`${emu.url}/sdapi/v1/sd-vae`)).status).toBe(404);
  });

  it('supports Windows paths and not-yet-hashed checkpoints', async () => {
    const emu = await start({ windowsPaths: true, models: ['sdxl/a.safetensors', { path: 'b.ckpt', hashed: false }] });
    const models = (await (await fetch(`${emu.url}/sdapi/v1/sd-models`)).json()) as Record<string, string | null>[];
    expect(models[0]).toMatchObject({ title: 'b.ckpt', hash: null, sha256: null, model_name: 'b' });
    expect(models[1].title).toMatch(/^sdxl\\a\.safetensors \[[0-9a-f]{10}\]$/);
    expect(models[1].filename).toMatch(/^C:\\.*\\models\\Stable-diffusion\\sdxl\\a\.safetensors$/);
  });

  it('POST /options: unknown key → 500 KeyError, unknown checkpoint → 500 RuntimeError', async () => {
    const emu = await start();
    const unknownKey = await post(emu, '/sdapi/v1/options', { no_such_option: 1 });
    expect(unknownKey.status).toBe(500);
    expect(await unknownKey.json()).toEqual({ error: 'KeyError', detail: '', body: '', message: "'no_such_option'" });
    const unknownModel = await post(emu, '/sdapi/v1/options', { sd_model_checkpoint: 'x.safetensors' });
    expect(await unknownModel.json()).toEqual({ error: 'RuntimeError', detail: '', body: '', message: "model 'x.safetensors' not found" });
    const good = await post(emu, '/sdapi/v1/options', { sd_model_checkpoint: 'sdxl/juggernautXL_v9.safetensors' });
    expect(await good.json()).toBeNull();
    const body = (await (await post(emu, '/sdapi/v1/txt2img', { steps: 1, width: 8, height: 8 })).json()) as GenerationResponse;
    expect(JSON.parse(body.info).sd_model_name).toBe('juggernautXL_v9');
  });
});

describe('basic auth', () => {
  const auth = { username: 'user', password: 'secret' };
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

  it('forge: 401 shapes with WWW-Authenticate; loras and ping stay open', async () => {
    const emu = await start({ auth });
    const none = await fetch(`${emu.url}/sdapi/v1/options`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ detail: 'Not authenticated' });
    expect(none.headers.get('www-authenticate')).toBe('Basic');
    const wrong = await fetch(`${emu.url}/sdapi/v1/options`, { headers: basic('user', 'nope') });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ detail: 'Incorrect username or password' });
    expect(wrong.headers.get('www-authenticate')).toBe('Basic');
    expect((await fetch(`${emu.url}/sdapi/v1/options`, { headers: basic('user', 'secret') })).status).toBe(200);
    expect((await fetch(`${emu.url}/sdapi/v1/loras`)).status).toBe(200);
    expect((await fetch(`${emu.url}/internal/ping`)).status).toBe(200);
    expect((await post(emu, '/sdapi/v1/txt2img', { steps: 1 })).status).toBe(401);
  });

  it('a1111: the api_middleware shape, without WWW-Authenticate', async () => {
    const emu = await start({ auth, flavor: 'a1111' });
    const wrong = await fetch(`${emu.url}/sdapi/v1/options`, { headers: basic('user', 'nope') });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: 'HTTPException',
      detail: 'Incorrect username or password',
      body: '',
      errors: '401: Incorrect username or password',
    });
    expect(wrong.headers.get('www-authenticate')).toBeNull();
  });
});

describe('faults', () => {
  const gen = { prompt: 'f', steps: 1, width: 8, height: 8 };

  it('500 in each flavor shape, then back to normal', async () => {
    const forge = await start();
    forge.setFault({ kind: '500' });
    const res = await post(forge, '/sdapi/v1/txt2img', gen);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'OutOfMemoryError', detail: '', body: '', message: expect.any(String) });
    expect((await post(forge, '/sdapi/v1/txt2img', gen)).status).toBe(200);

    const a1111 = await start({ flavor: 'a1111' });
    a1111.setFault({ kind: '500', message: 'boom' });
    expect(await (await post(a1111, '/sdapi/v1/txt2img', gen)).json()).toEqual({ error: 'OutOfMemoryError', detail: '', body: '', errors: 'boom' });
  });

  it('503 and 429 carry Retry-After; count and path select the requests', async () => {
    const emu = await start();
    emu.setFault({ kind: '503', count: 2, retryAfter: 7 });
    emu.setFault({ kind: '429', path: '/sdapi/v1/options' });
    for (let i = 0; i < 2; i++) {
      const res = await post(emu, '/sdapi/v1/txt2img', gen);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('7');
    }
    expect((await post(emu, '/sdapi/v1/txt2img', gen)).status).toBe(200);
    const limited = await fetch(`${emu.url}/sdapi/v1/options`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(emu.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(['503', '503', '429']);
  });

  it('hang never answers; close() ends it and frees the port quickly', async () => {
    const emu = await createForgeEmulator({ stepMs: 10 });
    emu.setFault({ kind: 'hang' });
    const timedOut = post(emu, '/sdapi/v1/txt2img', gen).catch((e: Error) => e);
    await waitFor(() => emu.requests.length === 1);
    const startedClose = Date.now();
    await emu.close();
    expect(Date.now() - startedClose).toBeLessThan(1000);
    expect(await timedOut).toBeInstanceOf(Error);
    const again = await createForgeEmulator({ port: emu.port });
    open.push(again);
    expect(again.port).toBe(emu.port);
  });

  it('reset cuts the body after the generation ran', async () => {
    const emu = await start();
    emu.setFault({ kind: 'reset' });
    const res = await post(emu, '/sdapi/v1/txt2img', gen);
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    expect(emu.generationLog[0].finishedAt).toBeDefined();
  });

  it('malformed_json, wrong_shape and bad_base64 answer 200 with spoiled bodies', async () => {
    const emu = await start();
    emu.setFault({ kind: 'malformed_json' });
    emu.setFault({ kind: 'wrong_shape' });
    emu.setFault({ kind: 'bad_base64' });
    const truncated = await post(emu, '/sdapi/v1/txt2img', gen);
    expect(truncated.status).toBe(200);
    await expect(truncated.json()).rejects.toThrow();
    expect(await (await post(emu, '/sdapi/v1/txt2img', gen)).json()).toEqual({ foo: 1 });
    const spoiled = (await (await post(emu, '/sdapi/v1/txt2img', gen)).json()) as GenerationResponse;
    expect(spoiled.images).toHaveLength(1);
    expect(spoiled.images[0]).not.toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
    expect(JSON.parse(spoiled.info).all_seeds).toHaveLength(1);
  });

  it('huge_body streams a large body; redirect points at the metadata address', async () => {
    const emu = await start();
    emu.setFault({ kind: 'huge_body', bytes: 8 * 1024 * 1024 });
    emu.setFault({ kind: 'redirect' });
    const huge = await post(emu, '/sdapi/v1/txt2img', gen);
    expect(Number(huge.headers.get('content-length'))).toBe(8 * 1024 * 1024);
    const reader = huge.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value).startsWith('{"images":["')).toBe(true);
    await reader.cancel();
    const redirect = await fetch(`${emu.url}/sdapi/v1/txt2img`, { method: 'POST', body: '{}', redirect: 'manual' });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toBe('http://169.254.169.254/latest/meta-data/');
  });
});

describe('online / offline', () => {
  it('refuses connections while offline, drops running work, and comes back on the same port', async () => {
    const emu = await start({ stepMs: 20 });
    const port = emu.port;
    const running = post(emu, '/sdapi/v1/txt2img', { steps: 50, width: 8, height: 8 }).catch((e: Error) => e);
    const queued = post(emu, '/sdapi/v1/txt2img', { steps: 1, width: 8, height: 8 }).catch((e: Error) => e);
    await waitFor(() => emu.state.queueLength === 2);

    await emu.setOnline(false);
    expect(emu.online).toBe(false);
    expect(await running).toBeInstanceOf(Error);
    expect(await queued).toBeInstanceOf(Error);
    await expect(fetch(`${emu.url}/internal/ping`)).rejects.toThrow();
    expect(emu.generationLog.every((g) => g.aborted)).toBe(true);

    await emu.setOnline(true);
    expect(emu.port).toBe(port);
    expect(emu.state.progress.job_count).toBe(0);
    const res = await post(emu, '/sdapi/v1/txt2img', { steps: 2, width: 8, height: 8 });
    expect(res.status).toBe(200);
  });
});

describe('behaviours of the real server a queue client must survive', () => {
  const small = { steps: 2, width: 8, height: 8 };

  it('keeps override_settings after a job that asks not to restore them; the next job runs with them', async () => {
    const emu = await start();
    await post(emu, '/sdapi/v1/txt2img', { ...small, override_settings: { CLIP_stop_at_last_layers: 2, forge_additional_modules: ['ae.safetensors'] }, override_settings_restore_afterwards: false });
    const res = (await (await post(emu, '/sdapi/v1/txt2img', small)).json()) as GenerationResponse;
    expect(emu.generationLog.map((g) => g.settings?.CLIP_stop_at_last_layers)).toEqual([2, 2]);
    expect(emu.generationLog[1].settings?.forge_additional_modules).toEqual(['ae.safetensors']);
    expect(JSON.parse(res.info).infotexts[0]).toContain('Clip skip: 2');
    // restored when the request leaves the default (true)
    await post(emu, '/sdapi/v1/txt2img', { ...small, override_settings: { CLIP_stop_at_last_layers: 3 } });
    expect(emu.state.options.CLIP_stop_at_last_layers).toBe(2);
  });

  it('forge: hires fix without hr_additional_modules raises TypeError after the first pass (500); with it, it runs', async () => {
    const emu = await start();
    const res = await post(emu, '/sdapi/v1/txt2img', { ...small, enable_hr: true, hr_scale: 2 });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'TypeError', detail: '', body: '', message: "argument of type 'NoneType' is not iterable" });
    expect(emu.generationLog[0].stepsRun).toBe(2); // the whole first pass was spent
    const ok = await post(emu, '/sdapi/v1/txt2img', { ...small, enable_hr: true, hr_scale: 2, hr_additional_modules: ['Use same choices'] });
    expect(ok.status).toBe(200);
    const a1111 = await start({ flavor: 'a1111' });
    expect((await post(a1111, '/sdapi/v1/txt2img', { ...small, enable_hr: true })).status).toBe(200);
  });

  it('forge ControlNet: a unit with a string image_fg is swallowed (job succeeds without it); a working unit adds a detected map', async () => {
    const emu = await start();
    const png = (await makePng({ width: 8, height: 8, seed: 1 })).toString('base64');
    const broken = { enabled: true, module: 'canny', model: 'control_canny', image: png, image_fg: png };
    const res = await post(emu, '/sdapi/v1/txt2img', { ...small, alwayson_scripts: { ControlNet: { args: [broken] } } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as GenerationResponse).images).toHaveLength(1);
    expect(emu.generationLog[0].controlnet).toEqual({ applied: 0, failed: [expect.stringContaining('image_fg')] });

    const working = { enabled: true, module: 'canny', model: 'control_canny', image: png };
    const body = (await (await post(emu, '/sdapi/v1/txt2img', { ...small, batch_size: 2, alwayson_scripts: { controlnet: { args: [working] } } })).json()) as GenerationResponse;
    expect(body.images).toHaveLength(3); // 2 results + the detected map
    const info = JSON.parse(body.info);
    expect(info.all_seeds).toHaveLength(2);
    expect(info.infotexts).toHaveLength(2);
    expect(emu.generationLog[1]).toMatchObject({ controlnet: { applied: 1, failed: [] }, extraImages: 1 });
  });

  it('save_images with return_grid puts a grid at index 0 and says so in index_of_first_image', async () => {
    const emu = await start();
    const body = (await (await post(emu, '/sdapi/v1/txt2img', { ...small, batch_size: 2, save_images: true })).json()) as GenerationResponse;
    const info = JSON.parse(body.info);
    expect(body.images).toHaveLength(3);
    expect(info.index_of_first_image).toBe(1);
    expect(info.all_seeds).toHaveLength(2);
  });

  it('/progress shows another client\'s job while ours waits; /internal/progress follows our force_task_id', async () => {
    const emu = await start({ stepMs: 20 });
    const internal = async (id: string) => (await (await post(emu, '/internal/progress', { id_task: id, live_preview: false })).json()) as Record<string, any>;
    const theirs = post(emu, '/sdapi/v1/txt2img', { prompt: 'theirs', steps: 10, width: 8, height: 8 });
    await waitFor(() => emu.state.progress.job_count === 1);
    const ours = post(emu, '/sdapi/v1/txt2img', { prompt: 'ours', ...small, force_task_id: 'task(sq-1)' });
    await waitFor(() => emu.state.queueLength === 2);
    const global = (await (await fetch(`${emu.url}/sdapi/v1/progress`)).json()) as Record<string, any>;
    expect(global.state.job_count).toBe(1);
    expect(global.current_task).not.toBe('task(sq-1)');
    expect(await internal('task(sq-1)')).toMatchObject({ active: false, queued: true, completed: false, textinfo: 'In queue: 1/1' });
    await theirs;
    await waitFor(() => emu.generationLog[1].startedAt !== undefined);
    await ours;
    expect(await internal('task(sq-1)')).toMatchObject({ active: false, queued: false, completed: true });
    expect(emu.generationLog[1].taskId).toBe('task(sq-1)');
    const pending = (await (await fetch(`${emu.url}/internal/pending-tasks`)).json()) as Record<string, any>;
    expect(pending).toEqual({ size: 0, tasks: [] });
  });

  it('reports job_count -1 while a model loads', async () => {
    const emu = await start({ modelLoadMs: 200 });
    const gen = post(emu, '/sdapi/v1/txt2img', { ...small, override_settings: { sd_model_checkpoint: 'sdxl/juggernautXL_v9.safetensors' } });
    await waitFor(() => emu.state.queueLength === 1);
    await new Promise((r) => setTimeout(r, 50));
    const progress = (await (await fetch(`${emu.url}/sdapi/v1/progress`)).json()) as Record<string, any>;
    expect(progress.state.job_count).toBe(-1);
    expect(progress.current_task).toMatch(/^task\(/);
    await gen;
  });

  it('a 500 fault can carry any Python error class', async () => {
    const emu = await start();
    emu.setFault({ kind: '500', error: 'KeyError', message: "'sd_vae'" });
    const res = await post(emu, '/sdapi/v1/txt2img', small);
    expect(await res.json()).toMatchObject({ error: 'KeyError', message: "'sd_vae'" });
  });
});
