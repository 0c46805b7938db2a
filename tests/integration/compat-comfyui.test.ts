/**
 * The ComfyUI-compatible facade end to end: a real engine on loopback, two ComfyUI
 * emulators, and ComfyUI's own websocket API example flow (queue with a client_id, read
 * the websocket until `executing` with node null for that prompt_id, then /history/{id}
 * and /view), written here in Node as the example does it in Python.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createComfyEmulator, type ComfyEmulator } from '../emulators/comfyui/index.ts';
import { makePng } from '../emulators/png.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor } from '../helpers/http.ts';

/** The example's graph, with its own prompt text and seed changes. */
function exampleGraph(text: string, seed: number): Record<string, any> {
  return {
    3: { class_type: 'KSampler', inputs: { cfg: 8, denoise: 1, latent_image: ['5', 0], model: ['4', 0], negative: ['7', 0], positive: ['6', 0], sampler_name: 'euler', scheduler: 'normal', seed, steps: 20 } },
    4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.ckpt' } },
    5: { class_type: 'EmptyLatentImage', inputs: { batch_size: 1, height: 64, width: 64 } },
    6: { class_type: 'CLIPTextEncode', inputs: { clip: ['4', 1], text } },
    7: { class_type: 'CLIPTextEncode', inputs: { clip: ['4', 1], text: 'bad hands' } },
    8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    9: { class_type: 'SaveImage', inputs: { filename_prefix: 'ccniyUI', images: ['8', 0] } },
  };
}

/** POST like urllib.request.Request(url, data=...) does: no Content-Type of its own, so form-urlencoded. */
async function postLikeUrllib(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Python-urllib/3.11' } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

interface WsLog { texts: { type: string; data: any }[]; binaries: Buffer[] }

function connect(url: string): Promise<{ ws: WebSocket; log: WsLog; until: (check: (m: { type: string; data: any }) => boolean) => Promise<void> }> {
  const log: WsLog = { texts: [], binaries: [] };
  const waiters: { check: (m: { type: string; data: any }) => boolean; resolve: () => void }[] = [];
  const ws = new WebSocket(url, { headers: { 'user-agent': 'websocket-client' } });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return void log.binaries.push(data as Buffer);
    const message = JSON.parse(String(data));
    log.texts.push(message);
    for (const w of [...waiters]) if (w.check(message)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({
      ws, log,
      until: (check) => (log.texts.some(check) ? Promise.resolve() : new Promise<void>((r) => waiters.push({ check, resolve: r }))),
    }));
    ws.once('error', reject);
  });
}

describe('ComfyUI-compatible facade at /compat/comfyui', () => {
  let sq: TestEngine;
  let comfies: ComfyEmulator[];
  const base = () => `${sq.url}/compat/comfyui`;
  const wsBase = () => `${base().replace(/^http/, 'ws')}/ws`;

  beforeAll(async () => {
    sq = await startTestEngine();
    const checkpoints = ['v1-5-pruned-emaonly.ckpt', 'sd_xl_base_1.0.safetensors'];
    comfies = [await createComfyEmulator({ stepMs: 40, checkpoints }), await createComfyEmulator({ stepMs: 40, checkpoints })];
    for (const [i, emu] of comfies.entries()) {
      expect((await api(sq.url, 'POST', '/api/v1/servers', { alias: `c${i + 1}`, app_type: 'comfyui', api_url: emu.url })).status).toBe(201);
    }
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(comfies.map((c) => c.close()));
  });

  it('runs ComfyUI\'s websocket API example flow: queue with client_id, wait for executing node null, /history/{id}, /view', async () => {
    const clientId = randomUUID();
    const { ws, log, until } = await connect(`${wsBase()}?clientId=${clientId}`);
    try {
      expect(log.texts[0]).toEqual({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: clientId } });
      const queued = await postLikeUrllib(`${base()}/prompt`, { prompt: exampleGraph('masterpiece best quality man', 5), client_id: clientId });
      expect(queued.status).toBe(200);
      expect(queued.body).toEqual({ prompt_id: expect.any(String), number: expect.any(Number), node_errors: {} });
      const promptId: string = queued.body.prompt_id;

      await until((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === promptId);
      const mine = log.texts.filter((m) => m.data?.prompt_id === promptId).map((m) => m.type);
      expect(mine).toEqual(expect.arrayContaining(['execution_start', 'executing', 'progress', 'executed', 'execution_success']));
      expect(mine.indexOf('execution_start')).toBeLessThan(mine.indexOf('progress'));
      expect(mine.at(-1)).toBe('executing');
      const progress = log.texts.filter((m) => m.type === 'progress').at(-1)!;
      expect(progress.data).toMatchObject({ max: 20, prompt_id: promptId, node: '3' });
      // Live previews come as ComfyUI's binary frames (type 1 + image format).
      expect(log.binaries.length).toBeGreaterThan(0);
      expect(log.binaries[0].readUInt32BE(0)).toBe(1);

      const history = (await api(base(), 'GET', `/history/${promptId}`)).body;
      const entry = history[promptId];
      expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
      expect(entry.prompt[1]).toBe(promptId);
      expect(entry.prompt[3]).toEqual({ client_id: clientId });
      expect(entry.prompt[4]).toEqual(['9']);
      const images = entry.outputs['9'].images;
      expect(images).toHaveLength(1);
      expect(images[0]).toMatchObject({ subfolder: '', type: 'output' });
      const executed = log.texts.find((m) => m.type === 'executed')!;
      expect(executed.data).toEqual({ node: '9', display_node: '9', output: { images }, prompt_id: promptId });

      const view = await fetch(`${base()}/view?${new URLSearchParams({ filename: images[0].filename, subfolder: images[0].subfolder, type: images[0].type })}`);
      expect(view.status).toBe(200);
      const bytes = Buffer.from(await view.arrayBuffer());
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

      // The job ran on one of the two servers, is a normal queue job, and its image is the server's file.
      const job = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${promptId}/status`)).body;
      expect(job).toMatchObject({ status: 'completed', source_info: 'comfyui_api' });
      expect(['c1', 'c2']).toContain(job.assigned_server_alias);
      const ran = comfies[job.assigned_server_alias === 'c1' ? 0 : 1];
      const file = ran.executions.at(-1)!.files[0];
      expect(bytes.equals(fs.readFileSync(path.join(ran.dirs.output, file)))).toBe(true);
      expect((await api(sq.url, 'GET', `/api/v1/gallery/images?job_id=${promptId}`)).body.images).toHaveLength(1);
    } finally {
      ws.close();
    }
  }, 60_000);

  it('a LoadImage workflow runs after /upload/image, on whichever server takes it', async () => {
    const png = await makePng({ width: 32, height: 24, seed: 7 });
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'my input.png');
    form.append('overwrite', 'true');
    const uploaded = await fetch(`${base()}/upload/image`, { method: 'POST', body: form });
    expect(uploaded.status).toBe(200);
    const upload = await uploaded.json();
    expect(upload).toEqual({ name: 'my input.png', subfolder: '', type: 'input' });

    const graph = {
      1: { class_type: 'LoadImage', inputs: { image: upload.name } },
      2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'loaded' } },
    };
    const queued = await postLikeUrllib(`${base()}/prompt`, { prompt: graph, client_id: 'loader' });
    expect(queued.status, JSON.stringify(queued.body)).toBe(200);
    const id = queued.body.prompt_id;
    const entry = await waitFor(async () => (await api(base(), 'GET', `/history/${id}`)).body[id]);
    expect(entry.status.status_str).toBe('success');
    expect(entry.outputs['2'].images).toHaveLength(1);
    const job = (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
    const ran = comfies[job.assigned_server_alias === 'c1' ? 0 : 1];
    expect(fs.readFileSync(path.join(ran.dirs.input, 'my input.png')).equals(png)).toBe(true);
  }, 60_000);

  it('an upload the multipart parser cannot read (no boundary, cut short, not multipart inside) is a bare 400, not a 500', async () => {
    const cut = '--zz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc';
    for (const route of ['/upload/image', '/upload/mask', '/api/upload/mask']) {
      for (const [type, body] of [['multipart/form-data; boundary=zz', '{"a":1}'], ['multipart/form-data; boundary=zz', 'a=1&b=2'], ['multipart/form-data', 'x'], ['multipart/form-data; boundary=zz', cut]]) {
        const res = await fetch(`${base()}${route}`, { method: 'POST', headers: { 'content-type': type }, body });
        expect(res.status, `${route} ${type} ${body.slice(0, 20)}`).toBe(400);
      }
    }
  });

  it('a workflow the servers would refuse comes back with ComfyUI\'s own node_errors and queues nothing', async () => {
    const bad = exampleGraph('x', 1);
    bad[4].inputs.ckpt_name = 'missing.safetensors';
    delete bad[5].inputs.width;
    const before = (await api(sq.url, 'GET', '/api/v1/queue/jobs?source=comfyui_api')).body.total;
    const facade = await postLikeUrllib(`${base()}/prompt`, { prompt: bad, client_id: 'x' });
    const real = await postLikeUrllib(`${comfies[0].url}/prompt`, { prompt: bad, client_id: 'x' });
    expect(real.status).toBe(400);
    expect(facade.status).toBe(400);
    expect(facade.body).toEqual(real.body);
    expect(facade.body.node_errors['4'].errors[0].type).toBe('value_not_in_list');
    expect(facade.body.node_errors['5'].errors[0].type).toBe('required_input_missing');
    // More of ComfyUI's error types, each compared with what the server itself answers.
    const variants: ((g: Record<string, any>) => void)[] = [
      (g) => { g[3].inputs.steps = 0; },
      (g) => { g[3].inputs.denoise = 'lots'; },
      (g) => { g[3].inputs.positive = ['5', 0]; },
      (g) => { g[3].inputs.model = ['4']; },
      (g) => { g[3].inputs.sampler_name = 'no-such-sampler'; },
      (g) => { g[9].class_type = 'VAEDecode'; },
    ];
    for (const change of variants) {
      const graph = exampleGraph('x', 1);
      change(graph);
      const fromFacade = await postLikeUrllib(`${base()}/prompt`, { prompt: graph });
      const fromServer = await postLikeUrllib(`${comfies[1].url}/prompt`, { prompt: graph });
      expect(fromServer.status, change.toString()).toBe(400);
      expect({ status: fromFacade.status, body: fromFacade.body }, change.toString()).toEqual({ status: 400, body: fromServer.body });
    }
    const unknown = await postLikeUrllib(`${base()}/prompt`, { prompt: { 1: { class_type: 'NoSuchNode', inputs: {} } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ type: 'invalid_prompt', details: "Node ID '#1'" });
    expect((await api(sq.url, 'GET', '/api/v1/queue/jobs?source=comfyui_api')).body.total).toBe(before);
  });

  it('queue, history list, object_info and models answer in ComfyUI\'s shapes; a foreign Origin is refused', async () => {
    const info = await api(base(), 'GET', '/object_info');
    expect(info.body.KSampler.input.required.steps[0]).toBe('INT');
    expect((await api(base(), 'GET', '/api/object_info/SaveImage')).body.SaveImage.output_node).toBe(true);
    expect(await (await fetch(`${base()}/models/checkpoints`)).json()).toContain('v1-5-pruned-emaonly.ckpt');
    const stats = (await api(base(), 'GET', '/system_stats')).body;
    expect(stats.devices).toHaveLength(2);
    expect((await api(base(), 'GET', '/queue')).body).toEqual({ queue_running: [], queue_pending: [] });
    expect((await api(base(), 'GET', '/prompt')).body).toEqual({ exec_info: { queue_remaining: 0 } });
    // The history list is the caller's own: the urllib client's prompts, not another client's.
    const history = (await api(base(), 'GET', '/history', undefined, { 'user-agent': 'Python-urllib/3.11' })).body;
    expect(Object.keys(history).length).toBe(2);
    expect((await api(base(), 'GET', '/history', undefined, { 'user-agent': 'another-tool/1.0' })).body).toEqual({});
    expect((await api(base(), 'GET', `/history/${randomUUID()}`)).body).toEqual({});

    const foreign = await api(base(), 'POST', '/prompt', { prompt: exampleGraph('x', 2) }, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    const ws = new WebSocket(`${wsBase()}?clientId=evil`, { headers: { origin: 'http://evil.example' } });
    const refused = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      ws.on('open', () => resolve(101));
    });
    expect(refused).toBe(403);
  });

  it('a client that chooses its prompt_id (newer ComfyUI examples) hears events and finds history under it; the same id again queues nothing', async () => {
    const clientId = randomUUID();
    const promptId = randomUUID();
    const { ws, until } = await connect(`${wsBase()}?clientId=${clientId}`);
    try {
      const queued = await postLikeUrllib(`${base()}/prompt`, { prompt: exampleGraph('chosen id', 6), client_id: clientId, prompt_id: promptId });
      expect(queued.status).toBe(200);
      expect(queued.body.prompt_id).toBe(promptId);
      await until((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === promptId);
      const entry = (await api(base(), 'GET', `/history/${promptId}`)).body[promptId];
      expect(entry.status.status_str).toBe('success');
      expect(entry.prompt[1]).toBe(promptId);
      const again = await postLikeUrllib(`${base()}/prompt`, { prompt: exampleGraph('chosen id', 6), client_id: clientId, prompt_id: promptId });
      expect(again.body).toEqual({ prompt_id: promptId, number: queued.body.number, node_errors: {} });
      const jobs = sq.engine.db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE json_extract(metadata_json, '$.compat.prompt_id') = ?").get(promptId) as { n: number };
      expect(jobs.n).toBe(1);
    } finally {
      ws.close();
    }
  }, 60_000);

  it('a prompt deleted from the queue before it runs ends for its client: execution_interrupted, executing null, and an error entry in /history', async () => {
    const clientId = randomUUID();
    const { ws, log, until } = await connect(`${wsBase()}?clientId=${clientId}`);
    expect((await api(sq.url, 'POST', '/api/v1/queue/pause')).status).toBe(200);
    try {
      const queued = await postLikeUrllib(`${base()}/prompt`, { prompt: exampleGraph('never runs', 8), client_id: clientId });
      const id = queued.body.prompt_id;
      const pending = (await api(base(), 'GET', '/queue', undefined, { 'user-agent': 'Python-urllib/3.11' })).body.queue_pending;
      expect(pending.map((item: any[]) => item[1])).toContain(id);
      expect((await postLikeUrllib(`${base()}/queue`, { delete: [id] })).status).toBe(200);
      await until((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === id);
      expect(log.texts.some((m) => m.type === 'execution_interrupted' && m.data.prompt_id === id)).toBe(true);
      const entry = (await api(base(), 'GET', `/history/${id}`)).body[id];
      expect(entry.status).toMatchObject({ status_str: 'error', completed: false });
      expect(entry.status.messages.at(-1)[0]).toBe('execution_interrupted');
    } finally {
      await api(sq.url, 'POST', '/api/v1/queue/resume');
      ws.close();
    }
  });

  it('a prompt that fails on the server reaches its client as execution_error with the node, and /history says error', async () => {
    for (const c of comfies) c.setFault({ kind: 'execution_error', nodeClass: 'VAEDecode', message: 'out of cheese', exceptionType: 'RuntimeError', count: 1 });
    const clientId = randomUUID();
    const { ws, log, until } = await connect(`${wsBase()}?clientId=${clientId}`);
    try {
      const queued = await postLikeUrllib(`${base()}/prompt`, { prompt: exampleGraph('fails', 9), client_id: clientId });
      const id = queued.body.prompt_id;
      await until((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === id);
      const error = log.texts.find((m) => m.type === 'execution_error' && m.data.prompt_id === id)!;
      expect(error.data).toMatchObject({ node_id: '8', node_type: 'VAEDecode', exception_type: 'RuntimeError', exception_message: expect.stringMatching(/out of cheese/) });
      const entry = (await api(base(), 'GET', `/history/${id}`)).body[id];
      expect(entry.status).toMatchObject({ status_str: 'error', completed: false });
      expect(entry.status.messages.at(-1)[0]).toBe('execution_error');
    } finally {
      for (const c of comfies) c.clearFaults();
      ws.close();
    }
  });
});
