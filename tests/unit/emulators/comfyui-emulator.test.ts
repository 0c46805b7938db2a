// The ComfyUI emulator must behave like real ComfyUI: these tests pin the
// protocol details a client depends on (event order, error shapes, cache rule,
// queue order, interrupts, origin check, binary previews) and the faults.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createComfyEmulator, type ComfyEmulator } from '../../emulators/comfyui/index.ts';
import { makePng, readPngTextChunks } from '../../emulators/png.ts';

type JsonFrame = { kind: 'json'; type: string; data: any };
type BinaryFrame = { kind: 'binary'; buf: Buffer };
type Frame = JsonFrame | BinaryFrame;

/** A WebSocket client that keeps every frame and can wait for one. */
class WsClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly closed: Promise<number>;
  private wakers: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (isBinary) this.frames.push({ kind: 'binary', buf });
      else {
        const msg = JSON.parse(buf.toString('utf8'));
        this.frames.push({ kind: 'json', type: msg.type, data: msg.data });
      }
      for (const wake of this.wakers.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<WsClient> {
    const ws = new WebSocket(url, opts);
    const client = new WsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  json(type?: string): JsonFrame[] {
    return this.frames.filter((f): f is JsonFrame => f.kind === 'json' && (type === undefined || f.type === type));
  }

  binary(): BinaryFrame[] {
    return this.frames.filter((f): f is BinaryFrame => f.kind === 'binary');
  }

  async waitFor(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out; got ${this.json().map((f) => f.type).join(',')}`);
      await new Promise<void>((resolve) => {
        this.wakers.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  waitForJson(type: string, pred: (data: any) => boolean = () => true): Promise<JsonFrame> {
    return this.waitFor((f) => f.kind === 'json' && f.type === type && pred(f.data)) as Promise<JsonFrame>;
  }

  close(): void {
    this.ws.terminate();
  }
}

function txt2img(opts: { seed?: number; steps?: number; ckpt?: string; batch?: number; prefix?: string; sampler?: string } = {}): Record<string, any> {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: opts.ckpt ?? 'sd_xl_base_1.0.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 48, batch_size: opts.batch ?? 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: opts.seed ?? 1,
        steps: opts.steps ?? 3,
        cfg: 7,
        sampler_name: opts.sampler ?? 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: opts.prefix ?? 'ComfyUI', images: ['8', 0] } },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('ComfyUI emulator', () => {
  let emu: ComfyEmulator;
  const clients: WsClient[] = [];

  const post = async (route: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> => {
    const res = await fetch(emu.url + route, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      // empty or non-JSON body
    }
    return { status: res.status, json, text };
  };
  const get = async (route: string): Promise<any> => (await fetch(emu.url + route)).json();
  const connect = async (clientId: string, opts: WebSocket.ClientOptions = {}): Promise<WsClient> => {
    const client = await WsClient.connect(`${emu.wsUrl}?clientId=${clientId}`, opts);
    clients.push(client);
    await client.waitForJson('status');
    return client;
  };
  const waitStarted = async (promptId: string): Promise<void> => {
    for (let i = 0; i < 200 && !emu.executions.some((e) => e.promptId === promptId); i++) await sleep(5);
  };

  beforeEach(async () => {
    emu = await createComfyEmulator({ stepMs: 5 });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await emu.close();
  });

  it('runs a valid prompt with the documented WebSocket event order', async () => {
    const ws = await connect('c1');
    const { status, json } = await post('/prompt', { prompt: txt2img({ steps: 3 }), client_id: 'c1' });
    expect(status).toBe(200);
    expect(json).toEqual({ prompt_id: expect.any(String), number: 0, node_errors: {} });
    await ws.waitForJson('executing', (d) => d.node === null);

    const frames = ws.json();
    const types = frames.map((f) => f.type);
    expect(types.slice(0, 5)).toEqual(['status', 'status', 'status', 'execution_start', 'execution_cached']);
    expect(types.slice(-3)).toEqual(['execution_success', 'status', 'executing']);
    expect(frames[0].data).toEqual({ status: { exec_info: { queue_remaining: 0 } }, sid: 'c1' });
    expect(frames[1].data).toEqual({ status: { exec_info: { queue_remaining: 1 } } });
    expect(frames[2].data).toEqual({ status: { exec_info: { queue_remaining: 1 } } });
    expect(frames.at(-2)?.data).toEqual({ status: { exec_info: { queue_remaining: 0 } } });
    expect(frames.at(-1)?.data).toEqual({ node: null, prompt_id: json.prompt_id });
    expect(frames[3].data).toEqual({ prompt_id: json.prompt_id, timestamp: expect.any(Number) });
    expect(frames[4].data).toEqual({ nodes: [], prompt_id: json.prompt_id, timestamp: expect.any(Number) });

    // Per node: progress_state, executing, (progress_state + progress)..., [executed], progress_state.
    const execIndex = types.findIndex((t, i) => t === 'executing' && frames[i].data.node === '3');
    expect(types[execIndex - 1]).toBe('progress_state');
    expect(frames[execIndex].data).toEqual({ node: '3', display_node: '3', prompt_id: json.prompt_id });
    expect(types.slice(execIndex + 1, execIndex + 7)).toEqual(['progress_state', 'progress', 'progress_state', 'progress', 'progress_state', 'progress']);
    expect(ws.json('progress').map((f) => f.data)).toEqual([1, 2, 3].map((value) => ({ value, max: 3, prompt_id: json.prompt_id, node: '3' })));
    const state = ws.json('progress_state').at(-1)?.data;
    expect(state.nodes['3']).toEqual({ value: 3, max: 3, state: 'finished', node_id: '3', prompt_id: json.prompt_id, display_node_id: '3', parent_node_id: null, real_node_id: '3' });

    const executed = ws.json('executed');
    expect(executed.map((f) => f.data)).toEqual([
      { node: '9', display_node: '9', output: { images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }] }, prompt_id: json.prompt_id },
    ]);
    const saveIndex = types.findIndex((t, i) => t === 'executing' && frames[i].data.node === '9');
    expect(types.slice(saveIndex, saveIndex + 3)).toEqual(['executing', 'executed', 'progress_state']);

    const history = await get(`/history/${json.prompt_id}`);
    const entry = history[json.prompt_id];
    expect(entry.prompt).toEqual([0, json.prompt_id, txt2img({ steps: 3 }), { client_id: 'c1' }, ['9']]);
    expect(entry.outputs).toEqual({ '9': { images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }] } });
    expect(entry.status.status_str).toBe('success');
    expect(entry.status.completed).toBe(true);
    expect(entry.status.messages.map((m: [string]) => m[0])).toEqual(['execution_start', 'execution_cached', 'execution_success']);
    expect(entry.meta).toEqual({ '9': { node_id: '9', display_node: '9', parent_node: null, real_node_id: '9' } });

    const raw = await (await fetch(`${emu.url}/api/history/${json.prompt_id}`)).text();
    expect(raw).toContain('"cfg": 7.0'); // python json.dumps bytes, float() coercion of FLOAT inputs
    expect(emu.executions[0]).toMatchObject({ promptId: json.prompt_id, outcome: 'success', cached: false, files: ['ComfyUI_00001_.png'] });
  });

  it('writes PNGs with prompt and workflow text chunks, subfolders and batch counters', async () => {
    const workflow = { last_node_id: 9, nodes: [{ id: 9, type: 'SaveImage' }] };
    const graph = txt2img({ batch: 2, prefix: 'renders/test' });
    const { json } = await post('/prompt', { prompt: graph, extra_data: { extra_pnginfo: { workflow } } });
    await emu.waitForIdle();
    const entry = (await get(`/history/${json.prompt_id}`))[json.prompt_id];
    expect(entry.outputs['9'].images).toEqual([
      { filename: 'test_00001_.png', subfolder: 'renders', type: 'output' },
      { filename: 'test_00002_.png', subfolder: 'renders', type: 'output' },
    ]);

    const res = await fetch(`${emu.url}/view?filename=test_00001_.png&subfolder=renders&type=output`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.readUInt32BE(16)).toBe(64);
    expect(png.readUInt32BE(20)).toBe(48);
    const chunks = readPngTextChunks(png);
    expect(JSON.parse(chunks.prompt)).toEqual(graph);
    expect(JSON.parse(chunks.workflow)).toEqual(workflow);
    expect(chunks.prompt).toContain('"class_type": "KSampler"');
    expect(await readdir(path.join(emu.dirs.output, 'renders'))).toEqual(['test_00001_.png', 'test_00002_.png']);
  });

  it('executes nothing for an identical graph, and re-runs when an input changes', async () => {
    const ws = await connect('c1');
    const first = await post('/prompt', { prompt: txt2img({ seed: 1 }), client_id: 'c1' });
    await ws.waitForJson('executing', (d) => d.node === null && d.prompt_id === first.json.prompt_id);
    const firstFile = await readFile(path.join(emu.dirs.output, 'ComfyUI_00001_.png'));

    const again = await post('/prompt', { prompt: txt2img({ seed: 1 }), client_id: 'c1' });
    await ws.waitForJson('executing', (d) => d.node === null && d.prompt_id === again.json.prompt_id);
    const cached = ws.json('execution_cached').find((f) => f.data.prompt_id === again.json.prompt_id);
    expect([...cached!.data.nodes].sort()).toEqual(['3', '4', '5', '6', '7', '8', '9']);
    const executedAgain = ws.json('executed').filter((f) => f.data.prompt_id === again.json.prompt_id);
    expect(executedAgain.find((f) => f.data.node === '9')?.data.output).toEqual({ images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }] });
    expect(executedAgain.find((f) => f.data.node === '4')?.data.output).toBeNull();
    const againTypes = ws.json().filter((f) => f.data?.prompt_id === again.json.prompt_id).map((f) => f.type);
    expect(againTypes).not.toContain('progress');
    expect(ws.json('executing').filter((f) => f.data.prompt_id === again.json.prompt_id && f.data.node !== null)).toEqual([]);
    expect(await readdir(emu.dirs.output)).toEqual(['ComfyUI_00001_.png']);
    expect(emu.executions[1]).toMatchObject({ cached: true, executedNodes: [], files: [] });
    const history = (await get(`/history/${again.json.prompt_id}`))[again.json.prompt_id];
    expect(history.outputs['9'].images[0].filename).toBe('ComfyUI_00001_.png');

    const reseeded = await post('/prompt', { prompt: txt2img({ seed: 2 }), client_id: 'c1' });
    await ws.waitForJson('executing', (d) => d.node === null && d.prompt_id === reseeded.json.prompt_id);
    const partial = ws.json('execution_cached').find((f) => f.data.prompt_id === reseeded.json.prompt_id);
    expect([...partial!.data.nodes].sort()).toEqual(['4', '5', '6', '7']);
    expect(await readdir(emu.dirs.output)).toEqual(['ComfyUI_00001_.png', 'ComfyUI_00002_.png']);
    const secondFile = await readFile(path.join(emu.dirs.output, 'ComfyUI_00002_.png'));
    expect(secondFile.equals(firstFile)).toBe(false);
  });

  it('rejects an unknown ckpt_name with ComfyUI node_errors', async () => {
    const { status, json } = await post('/prompt', { prompt: txt2img({ ckpt: 'missing.safetensors' }) });
    expect(status).toBe(400);
    expect(json).toEqual({
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
      node_errors: {
        '4': {
          errors: [
            {
              type: 'value_not_in_list',
              message: 'Value not in list',
              details: "ckpt_name: 'missing.safetensors' not in ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors', 'Pony/ponyDiffusionV6XL.safetensors']",
              extra_info: {
                input_name: 'ckpt_name',
                input_config: [['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors', 'Pony/ponyDiffusionV6XL.safetensors'], { tooltip: 'The name of the checkpoint (model) to load.' }],
                received_value: 'missing.safetensors',
              },
            },
          ],
          dependent_outputs: ['9'],
          class_type: 'CheckpointLoaderSimple',
        },
      },
    });
  });

  it('reports the other validation errors with their documented types', async () => {
    expect((await post('/prompt', { client_id: 'x' })).json).toEqual({
      error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} },
      node_errors: {},
    });
    const unknown = await post('/prompt', { prompt: { ...txt2img(), '1': { class_type: 'NopeNode', inputs: {} } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ error: { type: 'invalid_prompt', message: 'Cannot execute because node NopeNode does not exist.', details: "Node ID '#1'", extra_info: {} }, node_errors: {} });
    const noOutputs = await post('/prompt', { prompt: { '5': txt2img()['5'] } });
    expect(noOutputs.json.error).toEqual({ type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} });

    const graph = txt2img();
    graph['3'].inputs.steps = 0;
    graph['3'].inputs.sampler_name = 'nope';
    delete graph['3'].inputs.denoise;
    graph['7'].inputs.clip = ['5', 0];
    graph['8'].inputs.vae = ['4'];
    const bad = await post('/prompt', { prompt: graph });
    expect(bad.status).toBe(400);
    const errorsOf = (id: string): Array<{ type: string }> => bad.json.node_errors[id].errors;
    // Inputs are checked in declaration order; denoise is declared last.
    expect(errorsOf('3').map((e) => e.type)).toEqual(['value_smaller_than_min', 'value_not_in_list', 'required_input_missing']);
    expect(errorsOf('3')[0]).toEqual({
      type: 'value_smaller_than_min',
      message: 'Value 0 smaller than min of 1',
      details: 'steps',
      extra_info: { input_name: 'steps', input_config: ['INT', { default: 20, min: 1, max: 10000, tooltip: 'The number of steps used in the denoising process.' }], received_value: 0 },
    });
    // A combo longer than 20 entries is summarised and its config left out.
    expect(errorsOf('3')[1]).toMatchObject({ details: "sampler_name: 'nope' not in (list of length 42)", extra_info: { input_config: null } });
    expect(errorsOf('7')).toEqual([
      expect.objectContaining({ type: 'return_type_mismatch', details: 'clip, received_type(LATENT) mismatch input_type(CLIP)' }),
    ]);
    expect(errorsOf('8')).toEqual([expect.objectContaining({ type: 'bad_linked_input', details: 'vae' })]);
    expect(bad.json.node_errors['3'].dependent_outputs).toEqual(['9']);
    expect(bad.json.error.type).toBe('prompt_outputs_failed_validation');
  });

  it('runs the lowest number first; front negates the number', async () => {
    const a = await post('/prompt', { prompt: txt2img({ seed: 1, steps: 30 }) });
    await waitStarted(a.json.prompt_id);
    const b = await post('/prompt', { prompt: txt2img({ seed: 2, steps: 1 }) });
    const c = await post('/prompt', { prompt: txt2img({ seed: 3, steps: 1 }) });
    const d = await post('/prompt', { prompt: txt2img({ seed: 4, steps: 1 }), front: true });
    expect([a, b, c, d].map((r) => r.json.number)).toEqual([0, 1, 2, -3]);

    const queue = await get('/queue');
    expect(queue.queue_running.map((item: unknown[]) => item[1])).toEqual([a.json.prompt_id]);
    expect(queue.queue_running[0]).toHaveLength(5);
    expect(queue.queue_pending.map((item: unknown[]) => item[1])).toEqual([d.json.prompt_id, c.json.prompt_id, b.json.prompt_id]);
    expect((await get('/prompt')).exec_info.queue_remaining).toBe(4);

    await emu.waitForIdle();
    expect(emu.executions.map((e) => e.promptId)).toEqual([a, d, b, c].map((r) => r.json.prompt_id));
    // The next prompt starts right after the previous one ends.
    for (let i = 1; i < emu.executions.length; i++) {
      expect(emu.executions[i].startedPerf - (emu.executions[i - 1].finishedPerf as number)).toBeLessThan(20);
    }
  });

  it('deletes and clears pending items only', async () => {
    const a = await post('/prompt', { prompt: txt2img({ seed: 1, steps: 30 }) });
    await waitStarted(a.json.prompt_id);
    const b = await post('/prompt', { prompt: txt2img({ seed: 2, steps: 1 }) });
    const c = await post('/prompt', { prompt: txt2img({ seed: 3, steps: 1 }) });
    const del = await post('/queue', { delete: [b.json.prompt_id, a.json.prompt_id] });
    expect(del.status).toBe(200);
    expect(del.text).toBe('');
    const queue = await get('/queue');
    expect(queue.queue_running.map((item: unknown[]) => item[1])).toEqual([a.json.prompt_id]);
    expect(queue.queue_pending.map((item: unknown[]) => item[1])).toEqual([c.json.prompt_id]);
    await emu.waitForIdle();
    expect(emu.executions.map((e) => e.promptId)).toEqual([a.json.prompt_id, c.json.prompt_id]);
    expect(await get(`/history/${b.json.prompt_id}`)).toEqual({});

    const d = await post('/prompt', { prompt: txt2img({ seed: 4, steps: 30 }) });
    await waitStarted(d.json.prompt_id);
    await post('/prompt', { prompt: txt2img({ seed: 5, steps: 1 }) });
    await post('/api/queue', { clear: true });
    expect((await get('/queue')).queue_pending).toEqual([]);
    await emu.waitForIdle();
    expect(emu.executions).toHaveLength(3);
  });

  it('interrupts only the named running prompt, and serves {} history while it runs', async () => {
    const ws = await connect('c1');
    const a = await post('/prompt', { prompt: txt2img({ steps: 200 }), client_id: 'c1' });
    const id = a.json.prompt_id;
    await ws.waitForJson('progress');
    expect(await get(`/history/${id}`)).toEqual({});

    const wrong = await post('/interrupt', { prompt_id: 'not-running' });
    expect(wrong.status).toBe(200);
    expect(wrong.text).toBe('');
    const before = ws.json('progress').length;
    await sleep(40);
    expect(ws.json('progress').length).toBeGreaterThan(before);
    expect(ws.json('execution_interrupted')).toEqual([]);

    await post('/interrupt', { prompt_id: id });
    const interrupted = await ws.waitForJson('execution_interrupted');
    expect(interrupted.data).toEqual({ prompt_id: id, node_id: '3', node_type: 'KSampler', executed: ['4', '6', '7', '5'], timestamp: expect.any(Number) });
    await ws.waitForJson('executing', (d) => d.node === null);
    const entry = (await get(`/history/${id}`))[id];
    expect(entry.status.status_str).toBe('error');
    expect(entry.status.completed).toBe(false);
    expect(entry.status.messages.at(-1)[0]).toBe('execution_interrupted');
    expect(emu.executions[0].outcome).toBe('interrupted');

    // The flag is cleared when the next prompt starts: a stale global interrupt does not kill it.
    await fetch(emu.url + '/interrupt', { method: 'POST' });
    const b = await post('/prompt', { prompt: txt2img({ seed: 9, steps: 2 }), client_id: 'c1' });
    await emu.waitForIdle();
    expect((await get(`/history/${b.json.prompt_id}`))[b.json.prompt_id].status.status_str).toBe('success');
  });

  it('answers 403 to a foreign Origin on a loopback Host, for HTTP and the WebSocket', async () => {
    const foreign = await fetch(emu.url + '/prompt', { headers: { Origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toBe('');
    expect((await fetch(emu.url + '/api/queue', { headers: { Origin: `http://localhost:${emu.port}` } })).status).toBe(403);
    expect((await fetch(emu.url + '/prompt', { headers: { Origin: emu.url } })).status).toBe(200);
    expect((await fetch(emu.url + '/prompt')).status).toBe(200);

    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${emu.wsUrl}?clientId=x`, { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('upgrade should be refused')));
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
    const ok = await connect('same-origin', { origin: emu.url });
    expect(ok.json('status')[0].data.sid).toBe('same-origin');
  });

  it('sends type 1 previews by default and type 4 after feature_flags negotiation', async () => {
    const plain = await connect('plain');
    const { json: p1 } = await post('/prompt', { prompt: txt2img({ seed: 11, steps: 2 }), client_id: 'plain' });
    await plain.waitForJson('executing', (d) => d.node === null);
    const type1 = plain.binary();
    expect(type1).toHaveLength(2);
    for (const { buf } of type1) {
      expect(buf.readUInt32BE(0)).toBe(1);
      expect(buf.readUInt32BE(4)).toBe(1); // JPEG
      expect(buf.subarray(8, 10)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    const plainOrder = plain.frames.map((f) => (f.kind === 'binary' ? 'bin' : f.type));
    const firstProgress = plainOrder.indexOf('progress');
    expect(plainOrder.slice(firstProgress - 1, firstProgress + 2)).toEqual(['progress_state', 'progress', 'bin']);
    expect(p1.prompt_id).toBeTruthy();

    const modern = await connect('modern');
    modern.ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    const flags = await modern.waitForJson('feature_flags');
    expect(flags.data.supports_preview_metadata).toBe(true);
    const { json: p2 } = await post('/prompt', { prompt: txt2img({ seed: 12, steps: 2 }), client_id: 'modern' });
    await modern.waitForJson('executing', (d) => d.node === null);
    const type4 = modern.binary();
    expect(type4).toHaveLength(2);
    for (const { buf } of type4) {
      expect(buf.readUInt32BE(0)).toBe(4);
      const len = buf.readUInt32BE(4);
      expect(JSON.parse(buf.subarray(8, 8 + len).toString('utf8'))).toEqual({
        node_id: '3',
        prompt_id: p2.prompt_id,
        display_node_id: '3',
        parent_node_id: null,
        real_node_id: '3',
        image_type: 'image/jpeg',
      });
      expect(buf.subarray(8 + len, 10 + len)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    const order = modern.frames.map((f) => (f.kind === 'binary' ? 'bin' : f.type));
    const at = order.indexOf('bin');
    expect(order.slice(at - 1, at + 2)).toEqual(['progress_state', 'bin', 'progress']);
    // Events for one client never reach the other.
    expect(plain.json('execution_start').map((f) => f.data.prompt_id)).toEqual([p1.prompt_id]);
  });

  it('ws_drop closes sockets mid-job while the job keeps running; a reconnect gets the current node', async () => {
    emu.setFault({ kind: 'ws_drop', afterProgress: 2 });
    const ws = await connect('c1');
    const { json } = await post('/prompt', { prompt: txt2img({ steps: 40 }), client_id: 'c1' });
    expect(await ws.closed).toBe(1006);
    expect(ws.json('progress')).toHaveLength(2);

    const again = await connect('c1');
    await again.waitForJson('executing');
    expect(again.json()[1]).toEqual({ kind: 'json', type: 'executing', data: { node: '3' } });
    await again.waitForJson('executing', (d) => d.node === null);
    expect(again.json('progress').length).toBeGreaterThan(10);
    const entry = (await get(`/history/${json.prompt_id}`))[json.prompt_id];
    expect(entry.status.status_str).toBe('success');
    expect(emu.executions[0].outcome).toBe('success');
  });

  it('restart forgets queue, running job, history and cache but keeps files', async () => {
    const done = await post('/prompt', { prompt: txt2img({ seed: 1, steps: 1 }) });
    await emu.waitForIdle();
    expect(Object.keys(await get('/history'))).toEqual([done.json.prompt_id]);

    const ws = await connect('c1');
    const running = await post('/prompt', { prompt: txt2img({ seed: 2, steps: 100 }), client_id: 'c1' });
    await post('/prompt', { prompt: txt2img({ seed: 3, steps: 1 }) });
    await ws.waitForJson('progress');
    await emu.restart();
    expect(await ws.closed).toBe(1006);
    expect(await get('/queue')).toEqual({ queue_running: [], queue_pending: [] });
    expect(await get('/history')).toEqual({});
    expect(emu.executions.find((e) => e.promptId === running.json.prompt_id)?.outcome).toBe('aborted');
    expect(await readdir(emu.dirs.output)).toEqual(['ComfyUI_00001_.png']);

    // Numbering and the cache start over: the old graph runs again and gets the next file name.
    const rerun = await post('/prompt', { prompt: txt2img({ seed: 1, steps: 1 }) });
    expect(rerun.json.number).toBe(0);
    await emu.waitForIdle();
    expect(emu.executions.at(-1)).toMatchObject({ promptId: rerun.json.prompt_id, cached: false, files: ['ComfyUI_00002_.png'] });

    // As a fault, with the port down for a while.
    emu.setFault({ kind: 'restart', afterProgress: 1, downMs: 150 });
    const doomed = await post('/prompt', { prompt: txt2img({ seed: 4, steps: 5 }) });
    const aborted = (): boolean => emu.executions.some((e) => e.promptId === doomed.json.prompt_id && e.outcome === 'aborted');
    for (let i = 0; i < 400 && !aborted(); i++) await sleep(5);
    expect(aborted()).toBe(true);
    await expect(fetch(emu.url + '/prompt')).rejects.toThrow();
    let back = false;
    for (let i = 0; i < 100 && !back; i++) {
      back = await fetch(emu.url + '/prompt').then(() => true, () => false);
      if (!back) await sleep(20);
    }
    expect(back).toBe(true);
    expect(await get('/queue')).toEqual({ queue_running: [], queue_pending: [] });
  });

  it('execution_error fault: error event, history error, then the next prompt runs', async () => {
    emu.setFault({ kind: 'execution_error', nodeClass: 'KSampler', message: 'Allocation on device', exceptionType: 'torch.OutOfMemoryError' });
    const ws = await connect('c1');
    const { json } = await post('/prompt', { prompt: txt2img(), client_id: 'c1' });
    const error = await ws.waitForJson('execution_error');
    expect(error.data).toEqual({
      prompt_id: json.prompt_id,
      node_id: '3',
      node_type: 'KSampler',
      executed: ['4', '6', '7', '5'],
      exception_message: 'Allocation on device\n',
      exception_type: 'torch.OutOfMemoryError',
      traceback: expect.any(Array),
      current_inputs: expect.objectContaining({ seed: [1], steps: [3], model: [expect.stringContaining('ModelPatcher')] }),
      current_outputs: expect.arrayContaining(['3', '9']),
      timestamp: expect.any(Number),
    });
    await ws.waitForJson('executing', (d) => d.node === null);
    const entry = (await get(`/history/${json.prompt_id}`))[json.prompt_id];
    expect(entry.status).toMatchObject({ status_str: 'error', completed: false });
    expect(entry.status.messages.at(-1)[0]).toBe('execution_error');
    expect(entry.outputs).toEqual({});

    const next = await post('/prompt', { prompt: txt2img(), client_id: 'c1' });
    await ws.waitForJson('executing', (d) => d.node === null && d.prompt_id === next.json.prompt_id);
    const cached = ws.json('execution_cached').find((f) => f.data.prompt_id === next.json.prompt_id);
    expect([...cached!.data.nodes].sort()).toEqual(['4', '5', '6', '7']);
    expect((await get(`/history/${next.json.prompt_id}`))[next.json.prompt_id].status.status_str).toBe('success');
  });

  it('500 fault hits the next N requests to a path, with or without /api', async () => {
    emu.setFault({ kind: '500', path: '/prompt', method: 'POST', count: 2 });
    expect((await post('/api/prompt', { prompt: txt2img() })).status).toBe(500);
    const second = await post('/prompt', { prompt: txt2img() });
    expect(second.status).toBe(500);
    expect(second.text).toBe('500 Internal Server Error\n\nServer got itself in trouble');
    expect((await fetch(emu.url + '/prompt')).status).toBe(200);
    expect((await post('/prompt', { prompt: txt2img() })).status).toBe(200);
    expect(emu.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/api/prompt', '/prompt', '/prompt']);
    expect(emu.requests[0].body).toEqual({ prompt: txt2img() });
  });

  it('guards /view paths and serves uploads to LoadImage', async () => {
    const status = async (query: string): Promise<number> => (await fetch(`${emu.url}/view?${query}`)).status;
    expect(await status('filename=../secret.png')).toBe(400);
    expect(await status('filename=%2Fetc%2Fpasswd')).toBe(400);
    expect(await status('filename=a.png&type=bogus')).toBe(400);
    expect(await status('filename=a.png&subfolder=../..')).toBe(403);
    expect(await status('filename=missing.png')).toBe(404);

    const upload = async (bytes: Buffer): Promise<any> => {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'init.png');
      return (await fetch(emu.url + '/upload/image', { method: 'POST', body: form })).json();
    };
    const init = await makePng({ width: 32, height: 32, seed: 5 });
    expect(await upload(init)).toEqual({ name: 'init.png', subfolder: '', type: 'input' });
    expect(await upload(init)).toEqual({ name: 'init.png', subfolder: '', type: 'input' });
    expect(await upload(await makePng({ width: 32, height: 32, seed: 6 }))).toEqual({ name: 'init (1).png', subfolder: '', type: 'input' });

    const info = await get('/object_info/LoadImage');
    expect(info.LoadImage.input.required.image[0]).toEqual(['init (1).png', 'init.png']);
    const img2img = txt2img();
    img2img['10'] = { class_type: 'LoadImage', inputs: { image: 'init.png' } };
    img2img['11'] = { class_type: 'VAEEncode', inputs: { pixels: ['10', 0], vae: ['4', 2] } };
    img2img['3'].inputs.latent_image = ['11', 0];
    img2img['3'].inputs.denoise = 0.6;
    const ok = await post('/prompt', { prompt: img2img });
    expect(ok.status).toBe(200);
    await emu.waitForIdle();
    expect(emu.executions[0].outcome).toBe('success');

    img2img['10'].inputs.image = 'nope.png';
    const bad = await post('/prompt', { prompt: img2img });
    expect(bad.json.node_errors['10'].errors).toEqual([
      { type: 'custom_validation_failed', message: 'Custom validation failed for node', details: 'image - Invalid image file: nope.png', extra_info: { input_name: 'image' } },
    ]);
  });

  it('serves object_info, system_stats, models and embeddings under both prefixes', async () => {
    const all = await get('/object_info');
    for (const name of ['CheckpointLoaderSimple', 'LoraLoader', 'CLIPTextEncode', 'EmptyLatentImage', 'KSampler', 'VAEDecode', 'VAELoader', 'SaveImage', 'PreviewImage', 'EmptyImage', 'LoadImage']) {
      expect(all[name]).toMatchObject({ name, input: expect.any(Object), input_order: expect.any(Object), output: expect.any(Array), python_module: 'nodes' });
    }
    expect(all.SaveImage.output_node).toBe(true);
    expect(all.KSampler.input.required.seed).toEqual(['INT', expect.objectContaining({ min: 0, max: 18446744073709552000 })]);
    const raw = await (await fetch(emu.url + '/api/object_info/KSampler')).text();
    expect(raw).toContain('"max": 18446744073709551615');
    expect(raw).toContain('"cfg": ["FLOAT", {"default": 8.0, "min": 0.0, "max": 100.0');
    expect(await get('/object_info/Nope')).toEqual({});

    const stats = await get('/api/system_stats');
    expect(stats.devices[0]).toMatchObject({ type: 'cuda', index: 0, vram_total: expect.any(Number), vram_free: expect.any(Number) });
    expect(stats.system).toMatchObject({ os: 'posix', comfyui_version: expect.any(String), embedded_python: false });
    expect(await get('/models/checkpoints')).toEqual(['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors', 'Pony/ponyDiffusionV6XL.safetensors']);
    expect(await get('/api/models')).toContain('loras');
    expect((await fetch(emu.url + '/models/nope')).status).toBe(404);
    expect(await get('/embeddings')).toEqual(['easynegative', 'badhandv4']);
    expect((await post('/free', { unload_models: true })).status).toBe(200);
    expect((await fetch(emu.url + '/nope')).status).toBe(404);
  });

  it('PreviewImage writes temp files and a prompt without client_id broadcasts only progress events', async () => {
    const watcher = await connect('watcher');
    const graph = { '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0xff0000 } }, '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } };
    const { json } = await post('/prompt', { prompt: graph });
    await emu.waitForIdle();
    const images = (await get(`/history/${json.prompt_id}`))[json.prompt_id].outputs['2'].images;
    expect(images).toEqual([{ filename: expect.stringMatching(/^ComfyUI_temp_[a-z]{5}_00001_\.png$/), subfolder: '', type: 'temp' }]);
    expect((await fetch(`${emu.url}/view?filename=${images[0].filename}&type=temp`)).status).toBe(200);
    const seen = new Set(watcher.json().map((f) => f.type));
    expect(seen.has('progress_state')).toBe(true);
    expect(seen.has('execution_start')).toBe(false);
    expect(seen.has('executed')).toBe(false);
  });
});
