import { afterEach, describe, expect, it } from 'vitest';
import { ComfyHttp } from '../../../electron/engine/backends/comfyui/comfy-http.ts';
import { capabilitiesOf, parseVersion } from '../../../electron/engine/backends/comfyui/server-version.ts';
import { createComfyEmulator, type ComfyEmulator } from '../../emulators/comfyui/index.ts';
import { sd15Default } from './fixtures/api-workflows.ts';

describe('ComfyUI server capabilities by version', () => {
  it.each([
    ['0.3.44', false, false],
    ['0.3.45', true, false],
    ['0.3.56', true, false],
    ['0.3.57', true, true],
    ['v0.8.0', true, true],
    ['1.0', true, true],
    [undefined, false, false],
    ['unknown', false, false],
  ])('%s: client prompt_id %s, targeted interrupt %s', (version, clientPromptId, targetedInterrupt) => {
    expect(capabilitiesOf(version)).toMatchObject({ clientPromptId, targetedInterrupt });
  });

  it('reads the numbers of a version string', () => {
    expect(parseVersion('0.3.64')).toEqual([0, 3, 64]);
    expect(parseVersion('v0.8.0-rc1')).toEqual([0, 8, 0]);
    expect(parseVersion(64)).toBeNull();
  });
});

describe('finding a prompt by its extra_data tag on a server that named it itself', () => {
  let comfy: ComfyEmulator;
  afterEach(async () => comfy?.close());

  it('finds it while queued and in history; null for an unknown tag', async () => {
    comfy = await createComfyEmulator({ version: '0.3.44', stepMs: 5, previews: false });
    const http = new ComfyHttp({ alias: 'old', appType: 'comfyui', apiUrl: comfy.url, username: null, password: null });
    const graph = structuredClone(sd15Default);
    graph[4].inputs.ckpt_name = 'v1-5-pruned-emaonly.safetensors';
    graph[5].inputs = { width: 64, height: 64, batch_size: 1 };
    graph[3].inputs.steps = 30;
    const answer = await http.queuePrompt({ prompt: graph, prompt_id: 'ours-1', extra_data: { stablequeue_prompt_id: 'ours-1' } }, graph);
    expect(answer.prompt_id).not.toBe('ours-1');
    expect(await http.findByExtraData('stablequeue_prompt_id', 'ours-1')).toBe(answer.prompt_id);
    await comfy.waitForIdle();
    expect(await http.findByExtraData('stablequeue_prompt_id', 'ours-1')).toBe(answer.prompt_id);
    expect(await http.findByExtraData('stablequeue_prompt_id', 'someone-else')).toBeNull();
  });
});
