import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../electron/engine/clock.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers, generationRequests } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

/** The engine's clock: real time moved to 1 June 2026, set to shortly before 23:00 in the schedule test. */
let offset = Date.parse('2026-06-01T12:00:00Z') - Date.now();
const clock: Clock = { now: () => Date.now() + offset };

describe('queue power tools: hold, not_before, bulk actions, export and import', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator;
  const submit = async (params: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const res = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'f1', generation_params: { steps: 1, width: 64, height: 64, ...params }, ...extra,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.mobilesd_job_id as string;
  };
  const status = async (id: string) => (await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`)).body;
  const bulk = (body: unknown) => api(sq.url, 'POST', '/api/v1/queue/bulk', body);
  const sentPrompts = (from: number) => generationRequests(forge).slice(from).map((r) => (r.body as { prompt: string }).prompt);
  const pendingList = async () => {
    const jobs: any[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = (await api(sq.url, 'GET', `/api/v1/queue/jobs?status=pending,held&limit=200&offset=${offset}`)).body;
      jobs.push(...page.jobs);
      if (jobs.length >= page.total) return jobs;
    }
  };

  beforeAll(async () => {
    sq = await startTestEngine({ clock });
    [forge] = await addForgeServers(sq.url, 1, { stepMs: 1 });
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'server online' });
  }, 90_000);
  afterAll(async () => {
    await sq?.stop();
    await forge?.close();
  });

  it('keeps a held job and a job not due yet out of dispatch; the held one runs once released, the other at its time without any nudge', async () => {
    // Ten minutes before 23:00 while the jobs are submitted and checked (a busy machine takes seconds for that).
    offset = Date.parse('2026-06-01T22:50:00Z') - Date.now();
    const before = generationRequests(forge).length;
    const held = await submit({ positive_prompt: 'held back' }, { hold: true });
    const tonight = await submit({ positive_prompt: 'at eleven' }, { not_before: '2026-06-02T01:00:00+02:00' });
    const now = await submit({ positive_prompt: 'right away' });
    await waitForJobs(sq.url, [now]);
    expect(await status(held)).toMatchObject({ status: 'held', queue_position: null });
    const waiting = await status(tonight);
    expect(waiting).toMatchObject({ status: 'pending', not_before: '2026-06-01T23:00:00.000Z', queue_position: 1 });
    expect(sentPrompts(before)).toEqual(['right away']);

    // A held job can be edited, and keeps its place; releasing it puts it back in line.
    const edit = await api(sq.url, 'PATCH', `/api/v1/queue/jobs/${held}`, { generation_params: { positive_prompt: 'held, then edited' } });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body.status).toBe('held');
    expect((await api(sq.url, 'GET', '/api/v1/queue/state')).body.counts).toMatchObject({ held: 1 });
    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${now}/hold`)).status).toBe(409);
    // Ten seconds before 23:00; the release wakes the dispatcher, which then knows when the next job is due.
    offset = Date.parse('2026-06-01T22:59:50Z') - Date.now();
    const released = await api(sq.url, 'POST', `/api/v1/queue/jobs/${held}/release`);
    expect(released.status).toBe(200);
    await waitForJobs(sq.url, [held]);
    expect((await status(tonight)).status).toBe('pending');

    // 23:00 on the engine's clock: the dispatcher wakes by itself and runs it.
    const [ran] = await waitForJobs(sq.url, [tonight], 30_000);
    expect(ran.status).toBe('completed');
    expect(Date.parse(ran.completion_timestamp)).toBeGreaterThanOrEqual(Date.parse('2026-06-01T23:00:00Z'));
    expect(sentPrompts(before)).toEqual(['right away', 'held, then edited', 'at eleven']);
  }, 60_000);

  it('re-prioritises 500 jobs and cancels 200 of them by filter in one call each; they then run in exactly the expected order', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const prompts = Array.from({ length: 500 }, (_, i) => (i % 5 < 2 ? `drop-me ${i}` : `keep ${i}`));
    const ids: string[] = [];
    for (let i = 0; i < prompts.length; i += 50) {
      ids.push(...await Promise.all(prompts.slice(i, i + 50).map((p, j) => submit({ positive_prompt: p }, { priority: 1 + ((i + j) * 7) % 10 }))));
    }
    const reprioritised = await bulk({ ids, action: 'set_priority', params: { priority: 6 } });
    expect(reprioritised.status, JSON.stringify(reprioritised.body)).toBe(200);
    expect(reprioritised.body.matched).toBe(500);
    expect(reprioritised.body.changed).toBe(500 - ids.filter((_, i) => 1 + (i * 7) % 10 === 6).length);
    expect(reprioritised.body.skipped).toEqual({ unchanged: 50 });

    const cancelled = await bulk({ filter: { status: ['pending'], q: 'drop-me' }, action: 'cancel' });
    expect(cancelled.body).toEqual({ action: 'cancel', matched: 200, changed: 200, skipped: {} });

    // Three picked from the tail go to the top, in the order they were in.
    const kept = ids.filter((_, i) => i % 5 >= 2);
    const picked = [kept[299], kept[150], kept[200]];
    const moved = await bulk({ ids: picked, action: 'move_top' });
    expect(moved.body).toMatchObject({ matched: 3, changed: 3 });
    const expected = [kept[150], kept[200], kept[299], ...kept.filter((id) => !picked.includes(id))];
    expect((await pendingList()).map((j) => j.mobilesd_job_id)).toEqual(expected);

    const promptOf = new Map(ids.map((id, i) => [id, prompts[i]]));
    const before = generationRequests(forge).length;
    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitForJobs(sq.url, [expected[expected.length - 1]], 170_000);
    expect(sentPrompts(before)).toEqual(expected.map((id) => promptOf.get(id)));
  }, 240_000);

  it('answers hostile or malformed bulk requests with a clear 400 and changes nothing', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const id = await submit({ positive_prompt: 'bystander' });
    const uuid = '00000000-0000-4000-8000-000000000000';
    const bad: [unknown, RegExp][] = [
      [{ action: 'cancel' }, /either ids .* or filter/],
      [{ ids: [id], filter: {}, action: 'cancel' }, /either ids .* or filter/],
      [{ ids: [id], action: 'explode' }, /action/],
      [{ ids: ['1; DROP TABLE jobs'], action: 'cancel' }, /uuid/],
      [{ ids: Array.from({ length: 5001 }, () => uuid), action: 'cancel' }, /5000/],
      [{ ids: [id], action: 'set_priority' }, /params\.priority/],
      [{ ids: [id], action: 'set_priority', params: { priority: 99 } }, /priority/],
      [{ ids: [id], action: 'edit', params: { edit: { replace: 'x' } } }, /find/],
      [{ ids: [id], action: 'edit', params: { edit: { steps: 0 } } }, /steps/],
      [{ filter: { status: ['nope'] }, action: 'cancel' }, /status/],
      [{ ids: [id], action: 'cancel', extra: 1 }, /extra|additional/i],
    ];
    for (const [body, message] of bad) {
      const res = await bulk(body);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    const unknownServer = await bulk({ ids: [id, uuid], action: 'set_server', params: { target_server_alias: 'nowhere' } });
    expect(unknownServer.body).toEqual({ action: 'set_server', matched: 2, changed: 0, skipped: { unknown_server: 1, not_found: 1 } });
    expect(await status(id)).toMatchObject({ status: 'pending', priority: 5, target_server_alias: 'f1', edit_history: [] });

    const edited = await bulk({ ids: [id], action: 'edit', params: { edit: { find: 'stand', replace: 'sit', steps: 2, seed_mode: 'fixed', seed: 42 } } });
    expect(edited.body).toMatchObject({ changed: 1 });
    expect((await status(id)).generation_params).toMatchObject({ positive_prompt: 'bysiter', steps: 2, seed: 42 });
    expect((await bulk({ ids: [id], action: 'delete' })).body).toMatchObject({ changed: 1 });
    expect((await api(sq.url, 'GET', `/api/v1/queue/jobs?q=${id}`)).body.total).toBe(0);
  });

  it('exports the waiting jobs, and after the queue is wiped an import brings them back with new ids in the same order', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    await submit({ positive_prompt: 'low' }, { priority: 2 });
    await submit({ positive_prompt: 'high', seed: 123, cfg_scale: 4.5 }, { priority: 9, metadata: { client: 'x' } });
    await submit({ positive_prompt: 'held one' }, { hold: true });
    await submit({ positive_prompt: 'tomorrow' }, { not_before: '2026-06-03T08:00:00Z' });
    await submit({ positive_prompt: 'middle' });
    const shape = (j: any) => ({ prompt: j.positive_prompt, status: j.status, priority: j.priority, server: j.target_server_alias, not_before: j.not_before });
    const original = (await pendingList()).map(shape);
    expect(original.map((j) => j.prompt)).toEqual(['high', 'held one', 'tomorrow', 'middle', 'low']);

    const exported = await api(sq.url, 'GET', '/api/v1/queue/export?include_finished=true');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment; filename="stablequeue-queue-2026-06-0\d\.json"/);
    expect(exported.body).toMatchObject({ format: 'stablequeue.queue', version: 1 });
    const finished = exported.body.jobs.filter((j: any) => ['completed', 'failed', 'cancelled'].includes(j.status)).length;
    expect(finished).toBeGreaterThan(200);

    const wiped = await bulk({ filter: {}, action: 'delete' });
    expect(wiped.status).toBe(200);
    expect((await pendingList())).toEqual([]);

    const imported = await api(sq.url, 'POST', '/api/v1/queue/import', exported.body);
    expect(imported.status, JSON.stringify(imported.body).slice(0, 300)).toBe(200);
    expect(imported.body).toMatchObject({ imported: 5, skipped: { finished } });
    const back = await pendingList();
    expect(back.map(shape)).toEqual(original);
    expect(back.map((j) => j.mobilesd_job_id)).toEqual(imported.body.mobilesd_job_ids.slice().sort((a: string, b: string) => back.findIndex((j) => j.mobilesd_job_id === a) - back.findIndex((j) => j.mobilesd_job_id === b)));
    expect(new Set(imported.body.mobilesd_job_ids).size).toBe(5);
    const high = await status(back[0].mobilesd_job_id);
    expect(high.generation_params).toMatchObject({ positive_prompt: 'high', seed: 123, cfg_scale: 4.5 });
    expect(high.metadata).toEqual({ client: 'x' });
  });

  it('an import groups batch jobs again: a new batch with the same axes and cells, whose jobs run and get their contact sheet', async () => {
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    await bulk({ filter: {}, action: 'delete' });
    const made = await api(sq.url, 'POST', '/api/v1/batches', {
      name: 'moving grid', base: { target_server_alias: 'f1', generation_params: { positive_prompt: 'a boat', steps: 1, width: 64, height: 64 } },
      axes: { seed: [1, 2], positive_prompt: ['a boat', 'a train'] },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const loner = await submit({ positive_prompt: 'alone' });
    const oldBatch = (await api(sq.url, 'GET', `/api/v1/batches/${made.body.batch_id}`)).body;

    const exported = (await api(sq.url, 'GET', '/api/v1/queue/export')).body;
    expect(exported.batches).toEqual([expect.objectContaining({ batch_id: made.body.batch_id, name: 'moving grid', mode: 'product', axes: oldBatch.axes, job_count: 4 })]);
    const cellOf = (prompt: string, seed: number) => exported.jobs.find((j: any) => j.generation_params.positive_prompt === prompt && j.generation_params.seed === seed)?.batch_index;
    expect([cellOf('a boat', 1), cellOf('a boat', 2), cellOf('a train', 1), cellOf('a train', 2)]).toEqual([0, 1, 2, 3]);

    await bulk({ filter: {}, action: 'delete' });
    const imported = await api(sq.url, 'POST', '/api/v1/queue/import', exported);
    expect(imported.status, JSON.stringify(imported.body).slice(0, 300)).toBe(200);
    expect(imported.body.imported).toBe(5);
    const newBatchId = imported.body.batch_ids[made.body.batch_id];
    expect(newBatchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(newBatchId).not.toBe(made.body.batch_id);

    const back = await pendingList();
    const grouped = back.filter((j) => j.batch_id === newBatchId);
    expect(grouped).toHaveLength(4);
    expect(back.find((j) => j.positive_prompt === 'alone' && j.mobilesd_job_id !== loner)?.batch_id ?? null).toBeNull();
    // Each job keeps its cell in the grid (the contact sheet places it by that).
    const again = (await api(sq.url, 'GET', '/api/v1/queue/export')).body;
    const cells = again.jobs.filter((j: any) => j.batch_id === newBatchId)
      .map((j: any) => [j.generation_params.positive_prompt, j.generation_params.seed, j.batch_index]);
    expect(cells).toHaveLength(4);
    for (const [prompt, seed, cell] of cells) expect(cell, `${prompt} ${seed}`).toBe(cellOf(prompt, seed));
    expect(again.batches).toEqual([expect.objectContaining({ batch_id: newBatchId, axes: oldBatch.axes, job_count: 4, request: exported.batches[0].request })]);
    const restored = (await api(sq.url, 'GET', `/api/v1/batches/${newBatchId}`)).body;
    expect(restored).toMatchObject({ name: 'moving grid', mode: 'product', job_count: 4, axes: oldBatch.axes, status: 'active', counts: { pending: 4 } });

    // A file from before batches were exported still imports, its jobs ungrouped.
    const { batches: _dropped, ...older } = exported;
    const olderImport = await api(sq.url, 'POST', '/api/v1/queue/import', { ...older, jobs: older.jobs.map(({ batch_index: _cell, ...job }: any) => job) });
    expect(olderImport.status, JSON.stringify(olderImport.body).slice(0, 300)).toBe(200);
    expect(olderImport.body.batch_ids).toEqual({});
    const ungrouped = await Promise.all(olderImport.body.mobilesd_job_ids.map((id: string) => status(id)));
    expect(ungrouped.every((j: any) => j.batch_id === null || j.batch_id === undefined)).toBe(true);
    await bulk({ ids: olderImport.body.mobilesd_job_ids, action: 'delete' });

    await api(sq.url, 'POST', '/api/v1/queue/resume');
    await waitFor(async () => (await api(sq.url, 'GET', `/api/v1/batches/${newBatchId}`)).body.contact_sheets.length === 1, { what: 'the imported batch finished with its contact sheet', timeoutMs: 60_000 });
    const finished = (await api(sq.url, 'GET', `/api/v1/batches/${newBatchId}`)).body;
    expect(finished).toMatchObject({ status: 'finished', done: 4, counts: { completed: 4 } });
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    await submit({ positive_prompt: 'left waiting' });
  });

  it('refuses a file from another program, a newer version or with a bad job, naming the problem, and imports nothing', async () => {
    const doc = (await api(sq.url, 'GET', '/api/v1/queue/export')).body;
    const count = (await pendingList()).length;
    const cases: [unknown, string, RegExp][] = [
      [{ jobs: [] }, 'unsupported_export', /not a StableQueue queue export/],
      [{ ...doc, version: 99, stablequeue_version: '9.0.0' }, 'unsupported_export', /version 99 \(made by StableQueue 9\.0\.0\), newer than/],
      [{ ...doc, jobs: [...doc.jobs, { ...doc.jobs[0], generation_params: { steps: 0 } }] }, 'invalid_export_job', new RegExp(`Job ${doc.jobs.length + 1} of the file .*steps`)],
      [{ ...doc, jobs: [{ ...doc.jobs[0], target_server_alias: 'gone' }] }, 'unknown_server', /Job 1 of the file: No server named "gone"/],
      [{ ...doc, batches: [{ batch_id: 'b1', mode: 'sideways' }] }, 'invalid_export_batch', /Batch 1 of the file is not a valid exported batch/],
      [{ ...doc, batches: 'all of them' }, 'invalid_export_batch', /"batches" is not a list/],
      [[1, 2, 3], 'validation_error', /object/],
    ];
    for (const [body, code, message] of cases) {
      const res = await api(sq.url, 'POST', '/api/v1/queue/import', body);
      expect(res.status, JSON.stringify(res.body)).toBe(code === 'unknown_server' ? 404 : 400);
      expect(res.body.error).toBe(code);
      expect(res.body.message).toMatch(message);
    }
    expect((await pendingList()).length).toBe(count);
  });
});
