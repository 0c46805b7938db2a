// Both extensions against a live StableQueue: `node electron/headless.ts` on loopback with
// an emulated Forge and an emulated ComfyUI registered. The Python side
// (tests/extensions/python/test_live_stablequeue.py) drives the extensions' own code —
// the Forge script's queue click with Forge's modules stubbed, the ComfyUI forwarder, the
// shared API client — and this side checks what reached the emulators and the gallery:
// the alwayson_scripts of ControlNet and ADetailer arrive at Forge untouched, the ComfyUI
// workflow arrives as sent, and each job's image is in StableQueue's gallery.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComfyEmulator, type ComfyEmulator } from '../emulators/comfyui/index.ts';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process.ts';
import { api, waitFor } from '../helpers/http.ts';
import { runPythonTests, type PythonRun } from './python-unittest.ts';

const FORGE_ALIAS = 'forge-e2e';
const COMFY_ALIAS = 'comfy-e2e';
// Disabled servers: jobs sent to them wait, so the queue-control tests can watch and move them.
const FORGE_PARKED_ALIAS = 'forge-parked';
const COMFY_PARKED_ALIAS = 'comfy-parked';

describe('extensions against a live StableQueue', () => {
  let sq: HeadlessProcess;
  let forge: ForgeEmulator;
  let comfy: ComfyEmulator;
  let dataDir: string;
  let outDir: string;
  let key = '';
  let secret = '';
  let authEnforced = false;
  let python: PythonRun;
  const extraKeys: Record<string, string> = {};

  const auth = (): Record<string, string> => (key ? { 'X-API-Key': key, 'X-API-Secret': secret } : {});

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-ext-data-'));
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-ext-out-'));
    forge = await createForgeEmulator({ port: 0, stepMs: 5 });
    comfy = await createComfyEmulator({ port: 0, stepMs: 5 });
    sq = await startHeadless({ STABLEQUEUE_DATA_DIR: dataDir });

    for (const [alias, appType, url] of [[FORGE_ALIAS, 'forge', forge.url], [COMFY_ALIAS, 'comfyui', comfy.url]]) {
      const res = await api(sq.url, 'POST', '/api/v1/servers', { alias, app_type: appType, api_url: url });
      expect(res.status, `${alias}: ${JSON.stringify(res.body)}\n${sq.output().slice(-2000)}`).toBe(201);
    }
    await waitFor(async () => {
      const servers = (await api(sq.url, 'GET', '/api/v1/servers')).body as any[];
      return servers.length === 2 && servers.every((s) => s.status === 'online');
    }, { what: 'both emulated servers online' });
    for (const [alias, appType, url] of [[FORGE_PARKED_ALIAS, 'forge', forge.url], [COMFY_PARKED_ALIAS, 'comfyui', comfy.url]]) {
      const res = await api(sq.url, 'POST', '/api/v1/servers', { alias, app_type: appType, api_url: url, enabled: false });
      expect(res.status, `${alias}: ${JSON.stringify(res.body)}`).toBe(201);
    }

    // API keys arrive with the security work; until then the endpoints accept requests
    // without one and the extensions still send the headers.
    const created = await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'extensions e2e', permissions: ['submit', 'read'] });
    if (created.status >= 200 && created.status < 300 && created.body?.key && created.body?.secret) {
      key = created.body.key;
      secret = created.body.secret;
      const probe = await api(sq.url, 'POST', '/api/v2/generate',
        { app_type: 'forge', target_server_alias: FORGE_ALIAS, generation_params: { positive_prompt: 'probe', steps: 500, width: 64, height: 64 } },
        { 'X-API-Key': key, 'X-API-Secret': 'not-the-secret' });
      authEnforced = probe.status === 401;
      if (probe.status === 200) await api(sq.url, 'POST', `/api/v1/queue/jobs/${probe.body.mobilesd_job_id}/cancel`, {}, auth());
      if (authEnforced) {
        // a key that may only read (-> 403 on submit) and one allowed 1 request a minute (-> 429)
        const readOnly = await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'read only', permissions: ['read'] });
        const limited = await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'limited', permissions: ['submit', 'read'], rate_limit_per_minute: 1 });
        if (readOnly.status < 300) extraKeys.SQ_READONLY_KEY = `${readOnly.body.key}:${readOnly.body.secret}`;
        // a second extension's key: its jobs are not ours to cancel, retry or move (403)
        const other = await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'another extension', permissions: ['submit', 'read'] });
        if (other.status < 300) extraKeys.SQ_OTHER_KEY = `${other.body.key}:${other.body.secret}`;
        if (limited.status < 300) extraKeys.SQ_LIMITED_KEY = `${limited.body.key}:${limited.body.secret}`;
      }
    }

    python = await runPythonTests(['test_live_stablequeue'], {
      SQ_URL: sq.url,
      SQ_API_KEY: key,
      SQ_API_SECRET: secret,
      SQ_AUTH_ENFORCED: authEnforced ? '1' : '0',
      SQ_FORGE_ALIAS: FORGE_ALIAS,
      SQ_COMFY_ALIAS: COMFY_ALIAS,
      SQ_OUT_DIR: outDir,
      SQ_FORGE_PARKED_ALIAS: FORGE_PARKED_ALIAS,
      SQ_COMFY_PARKED_ALIAS: COMFY_PARKED_ALIAS,
      ...extraKeys,
    });
  }, 240_000);

  afterAll(async () => {
    await sq?.terminate();
    await forge?.close();
    await comfy?.close();
    for (const dir of [dataDir, outDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the extensions\' Python tests pass against it (client, Forge click, ComfyUI forwarder, queue control)', () => {
    if (process.env.SQ_EXT_VERBOSE) console.log(python.output);
    expect(python.ok, `${python.report}\n--- StableQueue log tail ---\n${sq.output().slice(-3000)}`).toBe(true);
    expect(python.ran).toBe(13);
    // only the key tests may be skipped, and only while StableQueue does not check keys
    expect(python.skipped, python.report).toBe(authEnforced ? 0 : 6);
    const passed = python.results.filter((r) => r.outcome === 'ok').map((r) => r.name.split(' ')[0]);
    expect(passed).toEqual(expect.arrayContaining([
      'test_forwarder_queues_and_follows_the_job',
      'test_health_and_servers',
      'test_img2img_with_mask_reaches_the_img2img_endpoint',
      'test_queue_click_runs_on_the_emulated_forge_with_controlnet_and_adetailer',
      'test_submit_poll_download',
    ]));
    if (authEnforced) {
      // queue position, move to the top, cancel and retry, through each extension's own code
      expect(passed).toEqual(expect.arrayContaining([
        'test_client_position_top_cancel_retry',
        'test_forge_panel_lists_own_jobs_and_its_buttons_act',
        'test_comfy_forwarder_priority_position_and_actions',
      ]));
    }
  });

  it('Forge: the alwayson_scripts of ControlNet and ADetailer arrive at the emulated Forge untouched', () => {
    const sent = JSON.parse(fs.readFileSync(path.join(outDir, 'forge_e2e.json'), 'utf8'));
    const params = sent.generation_params;
    expect(Object.keys(params.alwayson_scripts).sort()).toEqual(['adetailer', 'controlnet']);
    const received = forge.requests
      .filter((r) => r.method === 'POST' && r.path === '/sdapi/v1/txt2img')
      .map((r) => r.body as any)
      .find((b) => b?.prompt === params.positive_prompt && b?.seed === 4242);
    expect(received, 'the queued job reached the emulated Forge').toBeDefined();
    expect(received.alwayson_scripts).toEqual(params.alwayson_scripts);
    // ControlNet's input images travelled as base64 PNG
    const unit = received.alwayson_scripts.controlnet.args[0];
    expect(Buffer.from(unit.image.image, 'base64').subarray(0, 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
    // the rest of the job came along too
    expect(received).toMatchObject({
      negative_prompt: 'blurry', steps: 3, width: 64, height: 64, cfg_scale: 6.5, sampler_name: 'DPM++ 2M',
      scheduler: 'Karras', enable_hr: true, hr_scale: 1.5, hr_upscaler: 'Latent',
    });
    expect(received.override_settings.CLIP_stop_at_last_layers).toBe(2);
    expect(received.override_settings.sd_model_checkpoint).toMatch(/^v1-5-pruned-emaonly\.safetensors/);
  });

  it('Forge img2img: the input image and the mask arrive at the img2img endpoint', () => {
    const sent = JSON.parse(fs.readFileSync(path.join(outDir, 'forge_img2img_e2e.json'), 'utf8'));
    const params = sent.generation_params;
    const received = forge.requests
      .filter((r) => r.method === 'POST' && r.path === '/sdapi/v1/img2img')
      .map((r) => r.body as any)
      .find((b) => b?.seed === 5151);
    expect(received, 'the img2img job reached the emulated Forge').toBeDefined();
    expect(received.init_images).toEqual(params.init_images);
    expect(received.mask).toBe(params.mask);
    expect(received).toMatchObject({ denoising_strength: 0.45, mask_blur: 4, inpainting_fill: 1, inpaint_full_res_padding: 32 });
    expect(received.alwayson_scripts).toEqual(params.alwayson_scripts);
  });

  it('Forge: the image is in the gallery', async () => {
    const sent = JSON.parse(fs.readFileSync(path.join(outDir, 'forge_e2e.json'), 'utf8'));
    const res = await api(sq.url, 'GET', `/api/v1/gallery/images?job_id=${sent.job_id}`, undefined, auth());
    expect(res.status).toBe(200);
    const items = res.body.images as any[];
    expect(sent.image_ids.length).toBeGreaterThan(0);
    expect(items.map((i) => i.id)).toEqual(expect.arrayContaining(sent.image_ids));
    expect(items[0].positive_prompt).toBe(sent.generation_params.positive_prompt);
  });

  it('ComfyUI: the workflow arrives at the emulated ComfyUI and its image is in the gallery', async () => {
    const sent = JSON.parse(fs.readFileSync(path.join(outDir, 'comfy_e2e.json'), 'utf8'));
    const prompts = comfy.requests.filter((r) => r.method === 'POST' && /^\/(api\/)?prompt$/.test(r.path)).map((r) => r.body as any);
    const received = prompts.find((b) => b?.prompt?.['2']?.inputs?.filename_prefix === 'StableQueueE2E');
    expect(received, 'the queued workflow reached the emulated ComfyUI').toBeDefined();
    expect(received.prompt).toEqual(sent.workflow);
    // the UI workflow rides along for the PNG metadata
    expect(received.extra_data?.extra_pnginfo?.workflow).toEqual(sent.workflow_ui);

    const res = await api(sq.url, 'GET', `/api/v1/gallery/images?job_id=${sent.job_id}`, undefined, auth());
    expect(res.status).toBe(200);
    const items = res.body.images as any[];
    expect(sent.image_ids.length).toBeGreaterThan(0);
    expect(items.map((i) => i.id)).toEqual(expect.arrayContaining(sent.image_ids));
  });
});
