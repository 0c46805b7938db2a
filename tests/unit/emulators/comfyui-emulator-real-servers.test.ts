// Behaviours seen on real ComfyUI servers (0.8.0 and 0.3.44) that the emulator
// reproduces: long nodes that an interrupt cannot stop, old versions that ignore
// prompt_id, a CPU-only server's device list.
import { afterEach, describe, expect, it } from 'vitest';
import { createComfyEmulator, type ComfyEmulator, type ComfyEmulatorOptions } from '../../emulators/comfyui/index.ts';

function graph(text: string, steps = 2): Record<string, unknown> {
  return {
    1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    2: { class_type: 'CLIPTextEncode', inputs: { text, clip: ['1', 1] } },
    3: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    4: { class_type: 'KSampler', inputs: { seed: 1, steps, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['2', 0], negative: ['2', 0], latent_image: ['3', 0] } },
    5: { class_type: 'VAEDecode', inputs: { samples: ['4', 0], vae: ['1', 2] } },
    6: { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'real' } },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ComfyUI emulator: real-server behaviours', () => {
  let emu: ComfyEmulator;
  const start = async (opts: ComfyEmulatorOptions) => (emu = await createComfyEmulator({ stepMs: 5, previews: false, ...opts }));
  const post = async (route: string, body: unknown) => {
    const res = await fetch(emu.url + route, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const get = async (route: string) => (await fetch(emu.url + route)).json();
  const until = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 400; i++) {
      if (check()) return;
      await sleep(10);
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  afterEach(async () => {
    await emu?.close();
  });

  it('a long node cannot be interrupted: the interrupt lands when the next node starts', async () => {
    await start({ nodeMs: { VAEDecode: 600 } });
    const { json } = await post('/prompt', { prompt: graph('slow decode'), client_id: 'c' });
    await until(() => emu.events.some((e) => e.type === 'progress_state' && (e.data as any).nodes?.['5']?.state === 'running'), 'VAEDecode running');
    const interruptedAt = Date.now();
    await post('/interrupt', { prompt_id: json.prompt_id });
    await emu.waitForIdle();
    const run = emu.executions[0];
    expect(run.outcome).toBe('interrupted');
    // The decode ran to its end; the save never started.
    expect(run.executedNodes).toContain('5');
    expect(run.executedNodes).not.toContain('6');
    expect(run.endedAt! - interruptedAt).toBeGreaterThanOrEqual(400);
    const history = (await get(`/history/${json.prompt_id}`))[json.prompt_id];
    expect(history.status.messages.at(-1)).toEqual(['execution_interrupted', expect.objectContaining({ node_id: '6', node_type: 'SaveImage' })]);
  });

  it('before 0.3.57 /interrupt ignores prompt_id and stops whatever runs', async () => {
    await start({ version: '0.3.50' });
    const { json } = await post('/prompt', { prompt: graph('victim', 200), client_id: 'c' });
    await until(() => emu.events.some((e) => e.type === 'progress'), 'sampling');
    await post('/interrupt', { prompt_id: 'someone-else' });
    await emu.waitForIdle();
    expect(emu.executions.map((e) => [e.promptId, e.outcome])).toEqual([[json.prompt_id, 'interrupted']]);
    expect((await get('/system_stats')).system.comfyui_version).toBe('0.3.50');
  });

  it('from 0.3.57 /interrupt with another prompt_id leaves the running prompt alone', async () => {
    await start({});
    const { json } = await post('/prompt', { prompt: graph('safe', 20), client_id: 'c' });
    await until(() => emu.events.some((e) => e.type === 'progress'), 'sampling');
    await post('/interrupt', { prompt_id: 'someone-else' });
    await emu.waitForIdle();
    expect(emu.executions.map((e) => [e.promptId, e.outcome])).toEqual([[json.prompt_id, 'success']]);
  });

  it('before 0.3.45 POST /prompt assigns its own prompt_id whatever the client sends', async () => {
    await start({ version: '0.3.44' });
    const { status, json } = await post('/prompt', { prompt: graph('old'), client_id: 'c', prompt_id: 'mine-1234' });
    expect(status).toBe(200);
    expect(json.prompt_id).not.toBe('mine-1234');
    await emu.waitForIdle();
    expect(await get('/history/mine-1234')).toEqual({});
    expect(Object.keys(await get(`/history/${json.prompt_id}`))).toEqual([json.prompt_id]);
  });

  it('a CPU-only server lists one cpu device whose memory is the system RAM', async () => {
    await start({ cpuOnly: true });
    const stats = await get('/system_stats');
    expect(stats.devices).toHaveLength(1);
    expect(stats.devices[0]).toMatchObject({ name: 'cpu', type: 'cpu', vram_total: stats.system.ram_total });
  });
});
