import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../electron/engine/results/png-text.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers, generationRequests } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

const OLD_CKPT = 'v1-5-pruned-emaonly.safetensors';
const NEW_CKPT = 'sdxl/juggernautXL_v9.safetensors';

describe('PATCH /api/v1/queue/jobs/:id edits a job while it waits', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator[];
  const submit = async (params: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1', generation_params: { steps: 3, width: 64, height: 64, checkpoint_name: OLD_CKPT, ...params },
    }, headers);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.mobilesd_job_id as string;
  };
  const status = async (id: string) => (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
  const edit = (id: string, body: unknown, headers: Record<string, string> = {}) => api(sq.url, 'PATCH', `/api/v1/queue/jobs/${id}`, body, headers);

  beforeAll(async () => {
    sq = await startTestEngine();
    forge = await addForgeServers(sq.url, 1);
    // These tests are about a job's place in line; grouping by loaded model would let jobs pass one another.
    expect((await api(sq.url, 'PUT', '/api/v1/settings', { dispatch_grouping: false })).status).toBe(200);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'server online' });
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forge.map((f) => f.close()));
  });

  it('runs a pending job with the prompt and checkpoint it was edited to, in its place, with the edit in its history', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const first = await submit({ positive_prompt: 'first in line' });
    const edited = await submit({ positive_prompt: 'a red fox', seed: 7 });
    const last = await submit({ positive_prompt: 'last in line' });

    const res = await edit(edited, { generation_params: { positive_prompt: 'a blue heron', checkpoint_name: NEW_CKPT } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.generation_params).toMatchObject({ positive_prompt: 'a blue heron', checkpoint_name: NEW_CKPT, seed: 7, steps: 3 });
    expect(res.body.edit_history).toHaveLength(1);
    expect(res.body.edit_history[0]).toMatchObject({ by: 'ui', api_key_id: null });
    const byField = (a: { field: string }, b: { field: string }) => a.field.localeCompare(b.field);
    expect([...res.body.edit_history[0].changes].sort(byField)).toEqual([
      { field: 'generation_params.checkpoint_name', from: OLD_CKPT, to: NEW_CKPT },
      { field: 'generation_params.positive_prompt', from: 'a red fox', to: 'a blue heron' },
    ]);
    // The list row shows the new prompt and the job kept its place between the other two.
    const list = (await api(sq.url, 'GET', '/api/v1/queue/jobs?status=pending')).body.jobs as any[];
    const pendingOrder = list.sort((a, b) => a.queue_position - b.queue_position).map((j) => j.mobilesd_job_id);
    expect(pendingOrder).toEqual([first, edited, last]);
    expect(list.find((j) => j.mobilesd_job_id === edited)).toMatchObject({ positive_prompt: 'a blue heron', checkpoint_name: NEW_CKPT });

    const before = generationRequests(forge[0]).length;
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    const [done] = await waitForJobs(sq.url, [edited]);
    expect(done.status).toBe('completed');
    const sent = generationRequests(forge[0]).slice(before).map((r) => r.body as any);
    const ran = sent.find((b) => b.prompt === 'a blue heron');
    expect(ran, JSON.stringify(sent.map((b) => b.prompt))).toBeDefined();
    expect(ran.override_settings.sd_model_checkpoint).toMatch(/^sdxl[/\\]juggernautXL_v9\.safetensors( \[[0-9a-f]{10}\])?$/);
    expect(sent.some((b) => b.prompt === 'a red fox')).toBe(false);
    expect(sent.map((b) => b.prompt)).toEqual(['first in line', 'a blue heron', 'last in line']);
    const image = await fetch(`${sq.url}${done.images[0].download_url}`);
    expect(readPngText(Buffer.from(await image.arrayBuffer())).parameters).toMatch(/^a blue heron\n/);
    expect(done.edit_history).toHaveLength(1);
  });

  it('refuses to edit a running job (409) and changes nothing; a finished one too', async () => {
    const running = await submit({ positive_prompt: 'long one', steps: 400 });
    await waitFor(async () => (await status(running)).status === 'processing', { what: 'job running' });
    const before = await status(running);
    const res = await edit(running, { generation_params: { positive_prompt: 'too late' }, priority: 5 });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('job_not_editable');
    expect(res.body.message).toMatch(/already started \(processing\).*Nothing was changed/);
    const after = await status(running);
    expect(after.generation_params).toEqual(before.generation_params);
    expect(after.priority).toBe(before.priority);
    expect(after.edit_history).toEqual([]);
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${running}/cancel`);
    const [ended] = await waitForJobs(sq.url, [running]);
    const finished = await edit(running, { priority: 3 });
    expect(finished.status).toBe(409);
    expect(finished.body.message).toMatch(/already finished \(cancelled\)/);
    expect((await status(running)).priority).toBe(ended.priority);
  });

  it('answers bad edits with a clear 4xx and leaves the job as it was', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const id = await submit({ positive_prompt: 'stays as it is' });
    const original = await status(id);
    const bad: [unknown, number, RegExp][] = [
      [{}, 400, /validation_error/],
      [{ generation_params: { steps: 0 } }, 400, /validation_error/],
      [{ generation_params: { cfg_scale: 1000 } }, 400, /validation_error/],
      [{ priority: 'high' }, 400, /validation_error/],
      [{ status: 'completed' }, 400, /validation_error/],
      [{ target_server_alias: 'nowhere' }, 404, /unknown_server/],
    ];
    for (const [body, code, error] of bad) {
      const res = await edit(id, body);
      expect(res.status, JSON.stringify(body)).toBe(code);
      expect(res.body.error).toMatch(error);
      expect(typeof res.body.message).toBe('string');
    }
    expect((await edit('00000000-0000-4000-8000-000000000000', { priority: 1 })).status).toBe(404);
    const after = await status(id);
    expect(after.generation_params).toEqual(original.generation_params);
    expect(after.target_server_alias).toBe('f1');
    expect(after.edit_history).toEqual([]);
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${id}/cancel`);
    await api(sq.url, 'POST', '/api/v1/queue/resume');
  });

  it('lets a submit key edit its own waiting jobs only, recording the key; a raised priority moves the job ahead', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const key = (await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'editor', permissions: ['submit'] })).body;
    const headers = { 'x-api-key': key.key, 'x-api-secret': key.secret };
    const other = await submit({ positive_prompt: 'the UI job' });
    const own = await submit({ positive_prompt: 'the key job' }, headers);
    expect((await edit(other, { priority: 9 }, headers)).status).toBe(403);
    const res = await edit(own, { priority: 9 }, headers);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.edit_history[0]).toMatchObject({ by: 'api_key', api_key_id: key.id, changes: [{ field: 'priority', to: 9 }] });
    expect(res.body.queue_position).toBe(1);
    expect((await status(other)).priority).not.toBe(9);
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${own}/cancel`);
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${other}/cancel`);
    await api(sq.url, 'POST', '/api/v1/queue/resume');
  });
});
