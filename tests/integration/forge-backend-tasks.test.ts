import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { ForgeBackend } from '../../electron/engine/backends/forge/forge-backend.ts';
import { ForgeTaskStatus } from '../../electron/engine/backends/forge/task-status.ts';
import { createBackendHttp } from '../../electron/engine/backends/http-client.ts';
import type { ProgressUpdate, RunnableJob } from '../../electron/engine/backends/types.ts';
import { createForgeEmulator, type ForgeEmulator, type ForgeEmulatorOptions } from '../emulators/forge/index.ts';
import { waitFor } from '../helpers/http.ts';

/** The Forge backend on its own against the emulator: task ids, busy, cancel with and without /internal. */
const open: ForgeEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function start(opts: ForgeEmulatorOptions = {}) {
  const emu = await createForgeEmulator({ stepMs: 20, ...opts });
  open.push(emu);
  const backend = new ForgeBackend({ alias: 'f1', appType: 'forge', apiUrl: emu.url, username: null, password: null });
  await backend.checkHealth();
  return { emu, backend };
}

const post = (emu: ForgeEmulator, body: Record<string, unknown>) => fetch(`${emu.url}/sdapi/v1/txt2img`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

const job = (params: Record<string, unknown>): RunnableJob => ({ id: `job-${Math.random()}`, mode: 'txt2img', params: { steps: 4, width: 64, height: 64, ...params }, backendTaskId: null });

describe('Forge backend: our task among other clients\' work', () => {
  it('reports a server that is loading a model (job_count -1) as busy', async () => {
    const { emu, backend } = await start({ modelLoadMs: 600 });
    const gen = post(emu, { steps: 2, width: 8, height: 8, override_settings: { sd_model_checkpoint: 'sdxl/juggernautXL_v9.safetensors' } });
    await waitFor(() => emu.state.progress.job_count === -1, { what: 'model load' });
    expect((await backend.checkHealth()).busy).toBe(true);
    await gen;
    expect((await backend.checkHealth()).busy).toBe(false);
  });

  it.each([false, true])('reads a task as queued, active and completed (nowebui: %s)', async (nowebui) => {
    const { emu } = await start({ nowebui });
    const status = new ForgeTaskStatus(createBackendHttp({ alias: 'f1', appType: 'forge', apiUrl: emu.url, username: null, password: null }));
    const theirs = post(emu, { prompt: 'theirs', steps: 10, width: 8, height: 8 });
    await waitFor(() => emu.state.progress.job_count === 1, { what: 'theirs runs' });
    const ours = post(emu, { prompt: 'ours', steps: 10, width: 8, height: 8, force_task_id: 'task(sq-x)' });
    await waitFor(() => emu.state.queueLength === 2, { what: 'ours waits' });
    expect(await status.read('task(sq-x)')).toBe(nowebui ? 'unknown' : 'queued');
    await theirs;
    await waitFor(() => emu.generationLog[1]?.startedAt !== undefined, { what: 'ours starts' });
    expect(await status.read('task(sq-x)')).toBe('active');
    await ours;
    expect(await status.read('task(sq-x)')).toBe(nowebui ? 'unknown' : 'completed');
    expect(status.knowsQueue).toBe(!nowebui);
  });

  it('never reports another client\'s preview while ours waits; once ours runs, the previews are of our generation', async () => {
    const { emu, backend } = await start({ stepMs: 30 });
    const theirs = post(emu, { prompt: 'theirs', steps: 150, width: 32, height: 32, seed: 7 });
    await waitFor(() => emu.state.progress.job_count === 1, { what: 'theirs runs' });
    const previewPolls = () => emu.requests.filter((r) => r.path === '/sdapi/v1/progress' && r.query.skip_current_image === 'false').length;
    const updates: ProgressUpdate[] = [];
    const ours = backend.run(job({ positive_prompt: 'ours', steps: 100, width: 48, height: 48, seed: 9 }), {
      signal: new AbortController().signal, onProgress: (u) => updates.push(u), onSubmitted: () => undefined,
    });
    await waitFor(() => emu.state.queueLength === 2, { what: 'ours waits' });
    const before = previewPolls();
    await waitFor(() => previewPolls() >= before + 2, { what: 'two preview polls while ours waits', timeoutMs: 10_000 });
    // The server does show a preview right now: theirs.
    const shown = await (await fetch(`${emu.url}/sdapi/v1/progress?skip_current_image=false`)).json() as { current_image: string | null };
    expect(shown.current_image).toBeTruthy();
    expect(emu.state.queueLength).toBe(2); // still waiting, so every update so far was taken while theirs ran
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((u) => !u.preview && u.progress === 0)).toBe(true);
    await theirs;
    await ours;
    const withPreview = updates.filter((u) => u.preview);
    expect(withPreview.length).toBeGreaterThan(0);
    const sizes = await Promise.all(withPreview.map(async (u) => (await sharp(u.preview!.data).metadata()).width));
    expect(new Set(sizes)).toEqual(new Set([48])); // our 48 px generation, never their 32 px one
    backend.close();
  });

  it.each([false, true])('cancel while queued never interrupts the other client and stops ours when it starts (nowebui: %s)', async (nowebui) => {
    const { emu, backend } = await start({ nowebui, modelLoadMs: 300 });
    const theirs = post(emu, { prompt: 'theirs', steps: 60, width: 8, height: 8 });
    await waitFor(() => emu.state.progress.job_count === 1, { what: 'theirs runs' });
    const updates: ProgressUpdate[] = [];
    const ours = job({ positive_prompt: 'ours', checkpoint_name: 'sdxl/juggernautXL_v9.safetensors' });
    const controller = new AbortController();
    const running = backend.run(ours, { signal: controller.signal, onProgress: (u) => updates.push(u), onSubmitted: () => undefined });
    await waitFor(() => emu.state.queueLength === 2, { what: 'ours waits' });
    await waitFor(() => updates.some((u) => u.statusText === 'Queued on server behind another job'), { what: 'queued status' });
    expect(updates.every((u) => u.progress === 0 && !u.preview)).toBe(true);
    await backend.cancel(ours);
    await expect(running).rejects.toMatchObject({ kind: 'cancelled' });
    const theirRecord = emu.generationLog[0];
    await theirs;
    expect(theirRecord).toMatchObject({ interrupted: false, stepsRun: 60 });
    const ourRecord = await waitFor(() => emu.generationLog[1]?.finishedAt ? emu.generationLog[1] : null, { what: 'ours ends' });
    expect(ourRecord).toMatchObject({ interrupted: true, stepsRun: 0, images: 0 });
    backend.close();
  });
});
