/**
 * The Generate page's library through the API, against the Forge and ComfyUI emulators:
 * img2img and inpainting reach Forge with the init image and mask unchanged; a style
 * with {prompt} is applied exactly as Forge would; a Forge styles.csv round-trips byte for
 * byte; a saved ComfyUI template filled in with flat fields reaches ComfyUI with those
 * values in the right nodes and every other node as saved.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComfyEmulator, type ComfyEmulator } from '../emulators/comfyui/index.ts';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { ADETAILER_MODELS, CONTROLNET_MODELS, CONTROLNET_MODULES } from '../emulators/forge/extension-routes.ts';
import { makePng } from '../emulators/png.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers, generationRequests } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

const WORKFLOW = {
  3: { class_type: 'KSampler', inputs: { seed: 5, steps: 3, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
  4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
  5: { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
  6: { class_type: 'CLIPTextEncode', inputs: { text: 'a template cat', clip: ['4', 1] } },
  7: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry, lowres', clip: ['4', 1] } },
  8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  9: { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
};

/** A styles.csv as Forge writes it: BOM, CRLF, quotes only where needed (commas, quotes, newlines). */
const FORGE_CSV = '\uFEFFname,prompt,negative_prompt\r\n'
  + 'Cinematic,"cinematic still of {prompt}, shallow depth of field","cartoon, ""painting"""\r\n'
  + 'Plain tags,"masterpiece, best quality",\r\n'
  + 'Two lines,"line one\nline two",worst quality\r\n'
  + 'Ünïcode ✓,{prompt} in the style of ukiyo-e,\r\n';

describe('Generate library: img2img, styles, ComfyUI templates', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator;
  let comfy: ComfyEmulator;

  beforeAll(async () => {
    sq = await startTestEngine({ retryBaseDelayMs: 50 });
    [forge] = await addForgeServers(sq.url, 1) as [ForgeEmulator];
    comfy = await createComfyEmulator({ stepMs: 2 });
    const added = await api(sq.url, 'POST', '/api/v1/servers', { alias: 'comfy', app_type: 'comfyui', api_url: comfy.url });
    expect(added.status).toBe(201);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  }, 60_000);
  afterAll(async () => {
    await sq?.stop();
    await forge?.close();
    await comfy?.close();
  });

  it('img2img and inpaint jobs reach Forge with the init image and mask unchanged in size and content', async () => {
    const init = await makePng({ width: 96, height: 80, seed: 3 });
    const maskRaw = Buffer.alloc(96 * 80);
    for (let y = 20; y < 60; y++) for (let x = 30; x < 70; x++) maskRaw[y * 96 + x] = 255;
    const mask = await sharp(maskRaw, { raw: { width: 96, height: 80, channels: 1 } }).png().toBuffer();
    const initUrl = `data:image/png;base64,${init.toString('base64')}`;
    const maskUrl = `data:image/png;base64,${mask.toString('base64')}`;
    const plain = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1', mode: 'img2img',
      generation_params: { positive_prompt: 'i2i', steps: 3, width: 96, height: 80, init_images: [initUrl], denoising_strength: 0.35, resize_mode: 2 },
    });
    const inpaint = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1', mode: 'img2img',
      generation_params: {
        positive_prompt: 'inpaint', steps: 3, width: 96, height: 80, init_images: [initUrl], denoising_strength: 0.8, mask: maskUrl,
        mask_blur: 4, inpainting_fill: 1, inpaint_full_res: true, inpaint_full_res_padding: 32, inpainting_mask_invert: 0,
      },
    });
    const done = await waitForJobs(sq.url, [plain.body.mobilesd_job_id, inpaint.body.mobilesd_job_id]);
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed']);
    const bodies = forge.requests.filter((r) => r.path === '/sdapi/v1/img2img').map((r) => r.body as any);
    const first = bodies.find((b) => b.prompt === 'i2i');
    const second = bodies.find((b) => b.prompt === 'inpaint');
    expect(first).toMatchObject({ denoising_strength: 0.35, resize_mode: 2 });
    expect(first.mask ?? null).toBeNull();
    expect(second).toMatchObject({ mask_blur: 4, inpainting_fill: 1, inpaint_full_res: true, inpaint_full_res_padding: 32, inpainting_mask_invert: 0 });
    const decode = (dataUrl: string) => Buffer.from(dataUrl.replace(/^data:[^,]*,/, ''), 'base64');
    for (const body of [first, second]) expect(decode(body.init_images[0]).equals(init)).toBe(true);
    const sent = await sharp(decode(second.mask)).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect([sent.info.width, sent.info.height]).toEqual([96, 80]);
    expect(sent.data.equals(maskRaw)).toBe(true);
  });

  it('applies a style with {prompt} exactly as Forge does, stores it with the job, and leaves unknown names to the server', async () => {
    const made = await api(sq.url, 'POST', '/api/v1/styles', { name: 'Film', prompt: 'analog film photo of {prompt}, grain', negative_prompt: 'digital' });
    expect(made.status).toBe(201);
    await api(sq.url, 'POST', '/api/v1/styles', { name: 'Sharp', prompt: 'highly detailed' });
    const res = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1',
      generation_params: { positive_prompt: 'a red fox', negative_prompt: 'blurry', steps: 3, width: 64, height: 64, styles: ['film', 'Sharp', 'Server Only'] },
    });
    expect(res.status).toBe(202);
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job.generation_params).toMatchObject({
      positive_prompt: 'analog film photo of a red fox, grain, highly detailed',
      negative_prompt: 'blurry, digital',
      applied_styles: ['Film', 'Sharp'],
      styles: ['Server Only'],
    });
    const body = generationRequests(forge).at(-1)!.body as any;
    expect(body.prompt).toBe('analog film photo of a red fox, grain, highly detailed');
    expect(body.negative_prompt).toBe('blurry, digital');
    expect(body.styles).toEqual(['Server Only']);
    expect(body.applied_styles).toBeUndefined();
    // A ComfyUI job has no server styles to fall back on: an unknown name is a 400.
    const comfyJob = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'comfy', generation_params: { workflow: WORKFLOW, styles: ['Nope'] } });
    expect(comfyJob.status).toBe(400);
    expect(comfyJob.body.error).toBe('unknown_style');
  });

  it("a Forge styles.csv round-trips byte for byte, and bad CSV is a clear 400", async () => {
    const imported = await fetch(`${sq.url}/api/v1/styles/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: FORGE_CSV });
    expect(imported.status).toBe(200);
    const result = await imported.json() as any;
    expect(result).toMatchObject({ added: 4, updated: 0 });
    const cinematic = result.styles.find((s: any) => s.name === 'Cinematic');
    expect(cinematic).toMatchObject({ prompt: 'cinematic still of {prompt}, shallow depth of field', negative_prompt: 'cartoon, "painting"' });
    expect(result.styles.find((s: any) => s.name === 'Two lines').prompt).toBe('line one\nline two');
    // Only the imported ones, to compare with the file (the earlier test added two more).
    for (const s of result.styles.filter((s: any) => ['Film', 'Sharp'].includes(s.name))) await api(sq.url, 'DELETE', `/api/v1/styles/${s.id}`);
    const exported = await fetch(`${sq.url}/api/v1/styles/export`);
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = Buffer.from(await exported.arrayBuffer()).toString('utf8');
    const sortedRows = (csv: string) => csv.replace(/^\uFEFF/, '');
    expect(text.startsWith('\uFEFF')).toBe(true);
    // Exported sorted by name; the file above is in that order too.
    expect(sortedRows(text)).toBe(sortedRows(FORGE_CSV));
    // Importing the export again changes nothing.
    const again = await (await fetch(`${sq.url}/api/v1/styles/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: text })).json() as any;
    expect(again).toMatchObject({ added: 0, updated: 4 });
    const bad = await fetch(`${sq.url}/api/v1/styles/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'name,prompt\n"unterminated,x\n' });
    expect(bad.status).toBe(400);
    expect((await bad.json() as any).error).toBe('invalid_csv');
    const noName = await fetch(`${sq.url}/api/v1/styles/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'title,prompt\na,b\n' });
    expect(noName.status).toBe(400);
  });

  it('a saved ComfyUI template filled with positive_prompt, seed, width, height reaches ComfyUI with those values in the right nodes and the rest as saved', async () => {
    const saved = await api(sq.url, 'POST', '/api/v1/comfyui/templates', {
      name: 'Basic SD', workflow: WORKFLOW, extra_inputs: [{ name: 'prefix', node_id: '9', input: 'filename_prefix', label: 'File prefix' }],
    });
    expect(saved.status).toBe(201);
    expect(saved.body.detected).toMatchObject({
      positive_prompt: [{ node_id: '6', input: 'text' }], negative_prompt: [{ node_id: '7', input: 'text' }],
      seed: [{ node_id: '3', input: 'seed' }], width: [{ node_id: '5', input: 'width' }], height: [{ node_id: '5', input: 'height' }],
      checkpoint_name: [{ node_id: '4', input: 'ckpt_name' }],
    });
    expect(saved.body.defaults).toMatchObject({ positive_prompt: 'a template cat', seed: 5, width: 512, prefix: 'ComfyUI' });

    const res = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'comfy',
      generation_params: { workflow_template: 'basic sd', positive_prompt: 'a lighthouse at dusk', seed: 424242, width: 64, height: 96, template_inputs: { prefix: 'sq' } },
    });
    expect(res.status).toBe(202);
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job.status).toBe('completed');
    const post = comfy.requests.filter((r) => r.method === 'POST' && r.path.replace(/^\/api/, '') === '/prompt').map((r) => r.body as any).at(-1);
    const graph = post.prompt;
    expect(graph['6'].inputs.text).toBe('a lighthouse at dusk');
    expect(graph['3'].inputs.seed).toBe(424242);
    expect(graph['5'].inputs).toMatchObject({ width: 64, height: 96 });
    expect(graph['9'].inputs.filename_prefix).toBe('sq');
    const changed = { 3: ['seed'], 5: ['width', 'height'], 6: ['text'], 9: ['filename_prefix'] } as Record<string, string[]>;
    for (const [id, node] of Object.entries(WORKFLOW)) {
      const strip = (n: any) => ({ ...n, inputs: Object.fromEntries(Object.entries(n.inputs).filter(([k]) => !(changed[id] ?? []).includes(k))) });
      expect(JSON.stringify(strip(graph[id])), `node ${id}`).toBe(JSON.stringify(strip(node)));
    }
    expect(Object.keys(graph).sort()).toEqual(Object.keys(WORKFLOW).sort());
    expect(job.generation_params.workflow_template).toBe('Basic SD');
  });

  it('editing a waiting template job writes the edited prompt and seed into its nodes', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    try {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'comfy', generation_params: { workflow_template: 'Basic SD', positive_prompt: 'before', seed: 1 } });
      const id = res.body.mobilesd_job_id;
      const edited = await api(sq.url, 'PATCH', `/api/v1/queue/jobs/${id}`, { generation_params: { positive_prompt: 'after', seed: 2 } });
      expect(edited.status, JSON.stringify(edited.body)).toBe(200);
      const status = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
      expect(status.generation_params.workflow['6'].inputs.text).toBe('after');
      expect(status.generation_params.workflow['3'].inputs.seed).toBe(2);
      await api(sq.url, 'POST', `/api/v1/queue/jobs/${id}/cancel`);
    } finally {
      await api(sq.url, 'POST', '/api/v1/queue/resume');
    }
  });

  it('a 2×2 grid over the template\'s seed and prompt runs: four jobs, each with its own values in the nodes', async () => {
    const res = await api(sq.url, 'POST', '/api/v1/batches', {
      base: { target_server_alias: 'comfy', generation_params: { workflow_template: 'Basic SD', positive_prompt: 'unused', width: 64, height: 64 } },
      axes: { seed: [11, 22], positive_prompt: ['a red kite', 'a blue kite'] },
    });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    expect(res.body.job_count).toBe(4);
    const jobs = await waitForJobs(sq.url, res.body.mobilesd_job_ids);
    expect(jobs.map((j) => j.status)).toEqual(Array(4).fill('completed'));
    const graphs = comfy.requests.filter((r) => r.method === 'POST' && r.path.replace(/^\/api/, '') === '/prompt').map((r) => (r.body as any).prompt).slice(-4);
    const cells = graphs.map((g) => `${g['3'].inputs.seed}:${g['6'].inputs.text}:${g['5'].inputs.width}`).sort();
    expect(cells).toEqual(['11:a blue kite:64', '11:a red kite:64', '22:a blue kite:64', '22:a red kite:64']);
  });

  it("reports a server's ControlNet and ADetailer lists and upscalers, and null for a server without the extensions", async () => {
    const plain = await createForgeEmulator({ stepMs: 2, alwaysonScripts: ['Refiner', 'Seed'] });
    try {
      expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: 'plain', app_type: 'forge', api_url: plain.url })).status).toBe(201);
      await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers/plain')).body.status === 'online', { what: 'plain online' });
      const full = (await api(sq.url, 'GET', '/api/v1/servers/f1/capabilities')).body;
      expect(full.controlnet).toEqual({ models: CONTROLNET_MODELS, modules: CONTROLNET_MODULES });
      expect(full.adetailer).toEqual({ models: ADETAILER_MODELS });
      expect(full.upscalers).toEqual(expect.arrayContaining(['Latent', 'R-ESRGAN 4x+']));
      const bare = (await api(sq.url, 'GET', '/api/v1/servers/plain/capabilities')).body;
      expect(bare).toMatchObject({ controlnet: null, adetailer: null });
      // "auto": the union over the online Forge servers.
      expect((await api(sq.url, 'GET', '/api/v1/servers/auto/capabilities')).body.controlnet?.models).toEqual(CONTROLNET_MODELS);
      expect((await api(sq.url, 'GET', '/api/v1/servers/nope/capabilities')).status).toBe(404);
      // A ControlNet unit and an ADetailer pass pass through to Forge as sent.
      const scripts = {
        controlnet: { args: [{ enabled: true, module: 'canny', model: CONTROLNET_MODELS[0], weight: 0.7, resize_mode: 'Crop and Resize', guidance_start: 0, guidance_end: 0.8, control_mode: 'Balanced', pixel_perfect: true }] },
        ADetailer: { args: [true, false, { ad_model: 'face_yolov8n.pt', ad_prompt: 'a smiling face', ad_confidence: 0.3 }] },
      };
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'cn', steps: 3, width: 64, height: 64, alwayson_scripts: scripts } });
      await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
      expect((generationRequests(forge).at(-1)!.body as any).alwayson_scripts).toEqual(scripts);
      // The server without ControlNet refuses such a job at submit, naming the extension.
      const refused = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'plain', generation_params: { positive_prompt: 'cn', alwayson_scripts: scripts } });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('missing_extension');
    } finally {
      await api(sq.url, 'DELETE', '/api/v1/servers/plain');
      await plain.close();
    }
  });

  it('keeps form presets by name: saving a name again replaces it', async () => {
    const first = await api(sq.url, 'POST', '/api/v1/generate/presets', { name: 'Night', form: { positive: 'a harbour', steps: 30, templateInputs: {}, styles: [] } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const again = await api(sq.url, 'POST', '/api/v1/generate/presets', { name: 'night', form: { positive: 'a harbour at night' } });
    expect(again.body.id).toBe(first.body.id);
    const list = (await api(sq.url, 'GET', '/api/v1/generate/presets')).body.presets;
    expect(list).toHaveLength(1);
    expect(list[0].form).toEqual({ positive: 'a harbour at night' });
    expect((await api(sq.url, 'POST', '/api/v1/generate/presets', { name: ' ', form: {} })).status).toBe(400);
    expect((await api(sq.url, 'DELETE', `/api/v1/generate/presets/${first.body.id}`)).status).toBe(204);
    expect((await api(sq.url, 'DELETE', `/api/v1/generate/presets/${first.body.id}`)).status).toBe(404);
  });

  it('an inpaint job on a ComfyUI template uploads the init image with the mask as its alpha and points LoadImage at it', async () => {
    const workflow = {
      1: { class_type: 'LoadImage', inputs: { image: 'example.png' } },
      2: { class_type: 'VAEEncode', inputs: { pixels: ['1', 0], vae: ['4', 2] } },
      3: { class_type: 'KSampler', inputs: { seed: 5, steps: 3, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 0.6, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['2', 0] } },
      4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
      6: { class_type: 'CLIPTextEncode', inputs: { text: 'x', clip: ['4', 1] } },
      7: { class_type: 'CLIPTextEncode', inputs: { text: 'y', clip: ['4', 1] } },
      8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
      9: { class_type: 'SaveImage', inputs: { filename_prefix: 'i2i', images: ['8', 0] } },
    };
    const saved = await api(sq.url, 'POST', '/api/v1/comfyui/templates', { name: 'Comfy img2img', workflow });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.detected.init_image).toEqual([{ node_id: '1', input: 'image' }]);
    const init = await makePng({ width: 64, height: 48, seed: 4 });
    const maskRaw = Buffer.alloc(64 * 48);
    for (let y = 10; y < 30; y++) for (let x = 8; x < 40; x++) maskRaw[y * 64 + x] = 255;
    const mask = await sharp(maskRaw, { raw: { width: 64, height: 48, channels: 1 } }).png().toBuffer();
    const res = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'comfy', mode: 'img2img',
      generation_params: {
        workflow_template: 'Comfy img2img', positive_prompt: 'a boat', denoising_strength: 0.45,
        init_images: [`data:image/png;base64,${init.toString('base64')}`], mask: `data:image/png;base64,${mask.toString('base64')}`,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const [job] = await waitForJobs(sq.url, [res.body.mobilesd_job_id]);
    expect(job.status, job.error_message).toBe('completed');
    const graph = (comfy.requests.filter((r) => r.method === 'POST' && r.path.replace(/^\/api/, '') === '/prompt').at(-1)!.body as any).prompt;
    expect(graph['3'].inputs.denoise).toBe(0.45);
    expect(graph['6'].inputs.text).toBe('a boat');
    const uploaded = String(graph['1'].inputs.image);
    expect(uploaded).toMatch(/^stablequeue-.*\.png$/);
    const file = await sharp(path.join(comfy.dirs.input, uploaded)).raw().toBuffer({ resolveWithObject: true });
    expect([file.info.width, file.info.height, file.info.channels]).toEqual([64, 48, 4]);
    const rgb = await sharp(init).removeAlpha().raw().toBuffer();
    for (let i = 0; i < 64 * 48; i++) {
      expect(file.data[i * 4 + 3]).toBe(255 - maskRaw[i]!);
      if (i % 97 === 0) expect([...file.data.subarray(i * 4, i * 4 + 3)]).toEqual([...rgb.subarray(i * 3, i * 3 + 3)]);
    }
  });

  it('answers bad template requests with clear 4xx', async () => {
    const notApi = await api(sq.url, 'POST', '/api/v1/comfyui/templates', { name: 'UI format', workflow: { nodes: [], links: [] } });
    expect(notApi.status).toBe(400);
    expect(notApi.body.error).toBe('invalid_workflow');
    const badExtra = await api(sq.url, 'POST', '/api/v1/comfyui/templates', { name: 'x', workflow: WORKFLOW, extra_inputs: [{ name: 'a', node_id: '99', input: 'x' }] });
    expect(badExtra.status).toBe(400);
    expect(badExtra.body.error).toBe('unknown_node');
    const dup = await api(sq.url, 'POST', '/api/v1/comfyui/templates', { name: 'BASIC sd', workflow: WORKFLOW });
    expect(dup.status).toBe(409);
    const unknown = await api(sq.url, 'POST', '/api/v1/generate', { generation_params: { workflow_template: 'does not exist' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('unknown_template');
    const badInput = await api(sq.url, 'POST', '/api/v1/generate', { generation_params: { workflow_template: 'Basic SD', template_inputs: { nope: 1 } } });
    expect(badInput.status).toBe(400);
    expect(badInput.body.error).toBe('unknown_template_input');
    const forForge = await api(sq.url, 'POST', '/api/v1/generate', { app_type: 'forge', generation_params: { workflow_template: 'Basic SD' } });
    expect(forForge.status).toBe(400);
  });
});
