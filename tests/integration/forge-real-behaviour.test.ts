import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { makePng } from '../emulators/png.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers, generationRequests } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

/**
 * The queue against behaviours of real Forge servers that give wrong or failed jobs when
 * ignored: options that stay set between jobs, the hires crash, error classes, a lock
 * shared with other clients, extra images in the answer.
 */
const SDXL = 'sdxl/juggernautXL_v9.safetensors';
const SD15 = 'v1-5-pruned-emaonly.safetensors';
const submit = (base: string, params: Record<string, unknown>, target = 'f1') =>
  api(base, 'POST', '/api/v1/generate', { target_server_alias: target, generation_params: { steps: 3, width: 64, height: 64, ...params } });
const jobOf = async (base: string, id: string) => (await api(base, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;

describe('Forge as it really is', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator;

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 50, attemptDeadlineMs: 20_000 });
    // The server's own UI user chose a VAE module and CLIP skip 2 in Forge's settings.
    [forge] = await addForgeServers(sq.url, 1, { flavor: 'forge', modelLoadMs: 300, options: { forge_additional_modules: ['sdxl_vae.safetensors'], CLIP_stop_at_last_layers: 2 } });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'server online' });
  });
  afterAll(async () => {
    await sq.stop();
    await forge.close();
  });
  afterEach(() => {
    forge.clearFaults();
    forge.setStepMs(5);
  });

  const lastGenerations = (n: number) => forge.generationLog.slice(-n);

  it('two jobs in a row, CLIP skip 2 then default, run with 2 and then 1', async () => {
    const a = await submit(sq.url, { positive_prompt: 'clip two', override_settings: { CLIP_stop_at_last_layers: 2 } });
    await waitForJobs(sq.url, [a.body.mobilesd_job_id]);
    const b = await submit(sq.url, { positive_prompt: 'clip default' });
    const [done] = await waitForJobs(sq.url, [b.body.mobilesd_job_id]);
    expect(done.status).toBe('completed');
    expect(lastGenerations(2).map((g) => g.settings?.CLIP_stop_at_last_layers)).toEqual([2, 1]);
  });

  it('a Flux job then an SDXL job run each with its own modules', async () => {
    const flux = await submit(sq.url, {
      positive_prompt: 'flux', vae: 'ae.safetensors',
      override_settings: { forge_additional_modules: ['clip_l.safetensors', 't5xxl_fp8_e4m3fn.safetensors'] },
    });
    await waitForJobs(sq.url, [flux.body.mobilesd_job_id]);
    const sdxl = await submit(sq.url, { positive_prompt: 'sdxl', checkpoint_name: SDXL });
    await waitForJobs(sq.url, [sdxl.body.mobilesd_job_id]);
    expect(lastGenerations(2).map((g) => g.settings?.forge_additional_modules)).toEqual([
      ['clip_l.safetensors', 't5xxl_fp8_e4m3fn.safetensors', 'ae.safetensors'],
      [],
    ]);
    // Someone using Forge's own UI keeps their options: restored after each job.
    expect(forge.state.options.forge_additional_modules).toEqual(['sdxl_vae.safetensors']);
    expect(forge.state.options.CLIP_stop_at_last_layers).toBe(2);
  });

  it('a hires job completes on the Forge flavour with one attempt', async () => {
    const res = await submit(sq.url, { positive_prompt: 'hires', enable_hr: true, hr_scale: 2, hr_upscaler: 'Latent' });
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job).toMatchObject({ status: 'completed', attempts: 1 });
    expect(job.images).toHaveLength(1);
    expect((generationRequests(forge).at(-1)!.body as any).hr_additional_modules).toEqual(['Use same choices']);
  });

  it('a TypeError 500 fails on the first attempt with the server\'s message', async () => {
    forge.setFault({ kind: '500', count: 3, error: 'TypeError', message: "argument of type 'NoneType' is not iterable" });
    const res = await submit(sq.url, { positive_prompt: 'type error' });
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job.error_message).toContain("TypeError: argument of type 'NoneType' is not iterable");
  });

  it('out of GPU memory fails at once, suggesting a smaller size or batch, without retrying on the same card', async () => {
    forge.setFault({ kind: '500', count: 3 }); // the emulator's default 500 is a CUDA OutOfMemoryError
    const before = generationRequests(forge).length;
    const res = await submit(sq.url, { positive_prompt: 'too big' });
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job.error_message).toMatch(/ran out of GPU memory.*CUDA out of memory.*smaller size or batch/);
    expect(generationRequests(forge).length - before).toBe(1);
  });

  it('cancelling a job queued behind another client\'s generation does not interrupt it, and our job never runs', async () => {
    forge.setStepMs(40);
    // Another client (Forge's own UI, a script) starts a long generation.
    const theirs = fetch(`${forge.url}/sdapi/v1/txt2img`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'theirs', steps: 25, width: 64, height: 64 }),
    });
    await waitFor(() => forge.state.progress.job_count === 1, { what: 'their generation runs' });
    const theirRecord = forge.generationLog.at(-1)!;
    // Ours asks for another checkpoint, so the server loads it first when its turn comes.
    const other = forge.state.loadedModel.startsWith('sdxl/') ? SD15 : SDXL;
    const ours = await submit(sq.url, { positive_prompt: 'ours', checkpoint_name: other, steps: 20 });
    const id = ours.body.mobilesd_job_id;
    await waitFor(() => forge.state.queueLength === 2, { what: 'our request waits for the lock' });
    const waiting = await waitFor(async () => {
      const job = await jobOf(sq.url, id);
      return job.status_text === 'Queued on server behind another job' ? job : null;
    }, { what: 'queued status' });
    expect(waiting.progress).toBe(0); // their progress is not shown as ours
    expect(waiting.preview_url).toBeNull();

    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${id}/cancel`)).status).toBe(200);
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('cancelled');
    expect(job.images).toEqual([]);

    const theirResponse = await (await theirs).json() as { images: string[] };
    expect(theirResponse.images).toHaveLength(1);
    expect(theirRecord.interrupted).toBe(false);
    expect(theirRecord.stepsRun).toBe(25);
    // Our abandoned request got the lock after theirs and was stopped before it sampled anything.
    const ourRecord = await waitFor(() => forge.generationLog.find((g) => g.requestId !== theirRecord.requestId && g.startedAt! > theirRecord.startedAt! && g.finishedAt), { what: 'our request ends' });
    expect(ourRecord.interrupted).toBe(true);
    expect(ourRecord.stepsRun).toBe(0);
    expect(ourRecord.images).toBe(0);
  });

  it('a job interrupted from the server\'s own UI with fewer images than asked ends cancelled with what it made', async () => {
    forge.setStepMs(30);
    const res = await submit(sq.url, { positive_prompt: 'stopped elsewhere', n_iter: 3, steps: 6 });
    const id = res.body.mobilesd_job_id;
    await waitFor(() => forge.state.progress.job_no === 1, { what: 'second batch runs' });
    await fetch(`${forge.url}/sdapi/v1/interrupt`, { method: 'POST' }); // someone presses Interrupt in Forge
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('cancelled');
    expect(job.error_message).toMatch(/Stopped early on the server/);
    expect(job.images.length).toBeGreaterThan(0);
    expect(job.images.length).toBeLessThan(3);
  });

  it('keeps only the results: neither the grid of save_images nor ControlNet\'s detected maps', async () => {
    const png = (await makePng({ width: 16, height: 16, seed: 3 })).toString('base64');
    const res = await submit(sq.url, {
      positive_prompt: 'with extras', batch_size: 2, save_images: true, seed: 100,
      alwayson_scripts: { controlnet: { args: [{ enabled: true, module: 'canny', model: 'control_canny', image: png }] } },
    });
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job.status).toBe('completed');
    expect(forge.generationLog.at(-1)!.images).toBe(4); // grid + 2 results + detected map
    expect(job.images.map((i: any) => [i.seed, i.kind])).toEqual([[100, 'result'], [101, 'result']]);
    expect(job.result_details.extra_images_not_kept).toBe(2);
  });

  it('with keep_extra_images, the grid and the detected map are saved as labelled images of the job, byte for byte', async () => {
    const png = (await makePng({ width: 16, height: 16, seed: 3 })).toString('base64');
    const res = await submit(sq.url, {
      positive_prompt: 'keep the extras', batch_size: 2, save_images: true, seed: 200, keep_extra_images: true,
      alwayson_scripts: { controlnet: { args: [{ enabled: true, module: 'canny', model: 'control_canny', image: png }] } },
    });
    const id = res.body.mobilesd_job_id;
    const [job] = await waitForJobs(sq.url, [id]);
    expect(job.status).toBe('completed');
    expect(job.images.map((i: any) => [i.index, i.kind, i.seed])).toEqual([[0, 'result', 200], [1, 'result', 201], [2, 'grid', null], [3, 'control_map', null]]);
    expect(job.result_details.extra_images_not_kept).toBeUndefined();
    // The server answers the same request with the same images: replay what StableQueue sent.
    const sent = generationRequests(forge).at(-1)!;
    expect(sent.body).not.toHaveProperty('keep_extra_images'); // our own option never reaches the server
    const replay = await (await fetch(`${forge.url}/sdapi/v1/txt2img`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent.rawBody })).json() as { images: string[] };
    expect(replay.images).toHaveLength(4); // grid, 2 results, detected map
    const saved = await Promise.all(job.images.map(async (i: any) => Buffer.from(await (await fetch(`${sq.url}${i.download_url}`)).arrayBuffer())));
    const served = [replay.images[1], replay.images[2], replay.images[0], replay.images[3]].map((b) => Buffer.from(b, 'base64'));
    saved.forEach((bytes, i) => expect(bytes.equals(served[i]), `image ${i}`).toBe(true));
    // The gallery shows the results; the extras only when asked for.
    const gallery = async (query: string) => (await api(sq.url, 'GET', `/api/v1/gallery/images?job_id=${id}${query}`)).body.images.map((i: any) => i.kind);
    expect(await gallery('')).toEqual(['result', 'result']);
    expect(await gallery('&kind=control_map')).toEqual(['control_map']);
    expect((await gallery('&kind=all')).sort()).toEqual(['control_map', 'grid', 'result', 'result']);
    expect((await api(sq.url, 'GET', `/api/v1/gallery/images?kind=maps`)).status).toBe(400);
  });

  it('a job for a named server known to lack an extension it uses is refused at submit with a 400 naming it', async () => {
    const before = generationRequests(forge).length;
    const res = await submit(sq.url, { positive_prompt: 'x', alwayson_scripts: { 'Regional Prompter': { args: [true] } } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'missing_extension', details: { server: 'f1', missing_extensions: ['Regional Prompter'], servers_with_them: [] } });
    expect(res.body.message).toContain('does not have the extension "Regional Prompter"');
    expect(generationRequests(forge).length).toBe(before);
  });
});

describe('auto routing by the extensions a job uses', () => {
  let sq: TestEngine;
  const emus: ForgeEmulator[] = [];

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 50 });
    const withoutADetailer = ['Refiner', 'Seed', 'Sampler', 'ControlNet'];
    for (const [alias, scripts] of [['plain', withoutADetailer], ['detailer', [...withoutADetailer, 'ADetailer']]] as const) {
      const emu = await createForgeEmulator({ stepMs: 5, alwaysonScripts: [...scripts] });
      emus.push(emu);
      await api(sq.url, 'POST', '/api/v1/servers', { alias, app_type: 'forge', api_url: emu.url });
    }
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(emus.map((e) => e.close()));
  });

  it('sends a job using ADetailer only to the server that has it; one no server has fails naming it', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await submit(sq.url, { positive_prompt: `face ${i}`, alwayson_scripts: { ADetailer: { args: [true, false, { ad_model: 'face_yolov8n.pt' }] } } }, 'auto')).body.mobilesd_job_id);
    }
    const plain = await submit(sq.url, { positive_prompt: 'no extension' }, 'auto');
    const nowhere = await submit(sq.url, { positive_prompt: 'x', alwayson_scripts: { 'Regional Prompter': { args: [true] } } }, 'auto');
    const done = await waitForJobs(sq.url, [...ids, plain.body.mobilesd_job_id, nowhere.body.mobilesd_job_id]);
    expect(done.slice(0, 4).map((j) => [j.status, j.assigned_server_alias])).toEqual(Array(4).fill(['completed', 'detailer']));
    expect(done[4].status).toBe('completed');
    expect(done[5]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(done[5].error_message).toContain('does not have the extension "Regional Prompter"');
  });

  it('a job for a named server without the extension is refused at submit, naming the servers that have it', async () => {
    const total = (await api(sq.url, 'GET', '/api/v1/queue/jobs')).body;
    const res = await submit(sq.url, { positive_prompt: 'face', alwayson_scripts: { ADetailer: { args: [true, false, { ad_model: 'face_yolov8n.pt' }] } } }, 'plain');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'missing_extension', details: { server: 'plain', missing_extensions: ['ADetailer'], servers_with_them: ['detailer'] } });
    expect(res.body.message).toMatch(/Servers that have it: detailer/);
    expect((await api(sq.url, 'GET', '/api/v1/queue/jobs')).body).toEqual(total); // nothing queued
    const ok = await submit(sq.url, { positive_prompt: 'face', alwayson_scripts: { ADetailer: { args: [true, false, { ad_model: 'face_yolov8n.pt' }] } } }, 'detailer');
    expect(ok.status).toBe(202);
    await waitForJobs(sq.url, [ok.body.mobilesd_job_id]);
  });

  it('while a named server\'s script list is not known yet, the job is accepted and checked again before sending', async () => {
    const emu = await createForgeEmulator({ stepMs: 5, alwaysonScripts: ['Refiner', 'Seed', 'Sampler', 'ControlNet'] });
    emus.push(emu);
    emu.setFault({ kind: '500', path: '/sdapi/v1/script-info', count: 1, error: 'RuntimeError', message: 'scripts still loading' });
    await api(sq.url, 'POST', '/api/v1/servers', { alias: 'unknown', app_type: 'forge', api_url: emu.url });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.find((s: any) => s.alias === 'unknown')?.status === 'online', { what: 'server online' });
    const res = await submit(sq.url, { positive_prompt: 'face', alwayson_scripts: { ADetailer: { args: [true] } } }, 'unknown');
    expect(res.status).toBe(202);
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job.error_message).toContain('does not have the extension "ADetailer"');
    expect(generationRequests(emu)).toHaveLength(0);
  });

  it('a job sending more ADetailer arguments than the server\'s version takes completes with a warning, in its status and in the queue list', async () => {
    const emu = await createForgeEmulator({ stepMs: 5, alwaysonScripts: ['ADetailer'], scriptArgCounts: { ADetailer: 3 } });
    emus.push(emu);
    await api(sq.url, 'POST', '/api/v1/servers', { alias: 'older', app_type: 'forge', api_url: emu.url });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.find((s: any) => s.alias === 'older')?.status === 'online', { what: 'server online' });
    const args = [true, false, { ad_model: 'face_yolov8n.pt' }, { ad_model: 'hand_yolov8n.pt' }];
    const res = await submit(sq.url, { positive_prompt: 'two tabs', alwayson_scripts: { ADetailer: { args } } }, 'older');
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job.status).toBe('completed');
    const warning = "ADetailer: the job sends 4 arguments, the server's version takes 3";
    expect(job.result_details.script_warnings).toEqual([expect.stringContaining(warning)]);
    const listed = (await api(sq.url, 'GET', '/api/v1/queue/jobs?limit=200')).body.jobs.find((j: any) => j.mobilesd_job_id === res.body.mobilesd_job_id);
    expect(listed.script_warnings).toEqual([expect.stringContaining(warning)]);
    const plain = (await api(sq.url, 'GET', '/api/v1/queue/jobs?limit=200')).body.jobs.filter((j: any) => j.mobilesd_job_id !== res.body.mobilesd_job_id);
    expect(plain.every((j: any) => j.script_warnings === undefined)).toBe(true);
  });
});
