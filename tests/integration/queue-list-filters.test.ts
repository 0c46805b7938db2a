/**
 * The queue list as the Forge and ComfyUI extensions use it, on a real engine: rows of
 * pending jobs carry their queue_position (the same number the status endpoint gives), and
 * the list filters by source (`source=`) and by API key (`mine=true`, `api_key_id=`), a
 * key seeing only its own jobs when it asks by key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api } from '../helpers/http.ts';

type Key = { id: string; key: string; secret: string };
const headersOf = (k: Key) => ({ 'x-api-key': k.key, 'x-api-secret': k.secret });
const job = (source: string, priority = 5) => ({
  target_server_alias: 'auto', priority, source_info: source,
  generation_params: { positive_prompt: `from ${source}`, steps: 4, width: 64, height: 64 },
});

describe('queue list: queue_position and the source / API key filters', () => {
  let sq: TestEngine;
  let a: Key;
  let b: Key;
  const ids: Record<string, string[]> = { a: [], b: [], ui: [] };

  const list = (query: string, headers: Record<string, string> = {}) => api(sq.url, 'GET', `/api/v1/queue/jobs?${query}`, undefined, headers);
  const createKey = async (name: string): Promise<Key> => {
    const res = await api(sq.url, 'POST', '/api/v1/api-keys', { name, permissions: ['submit', 'read'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    sq = await startTestEngine();
    await api(sq.url, 'POST', '/api/v1/queue/pause'); // no servers and paused: every job stays pending
    a = await createKey('forge extension');
    b = await createKey('comfyui extension');
    for (const [who, headers, source] of [['a', headersOf(a), 'forge_extension'], ['b', headersOf(b), 'comfyui_extension'], ['ui', {}, 'web_ui']] as const) {
      for (let i = 0; i < 3; i++) {
        const res = await api(sq.url, 'POST', '/api/v1/generate', job(source), headers);
        expect(res.status, JSON.stringify(res.body)).toBe(202);
        ids[who].push(res.body.mobilesd_job_id);
      }
    }
  });
  afterAll(async () => sq.stop());

  it('mine=true lists only the calling key\'s jobs, each with its real place in the whole queue', async () => {
    const res = await list('mine=true', headersOf(a));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.jobs.map((j: any) => j.mobilesd_job_id)).toEqual(ids.a);
    expect(res.body.total).toBe(3);
    // a's three jobs were submitted first: 1st, 2nd and 3rd of the nine
    expect(res.body.jobs.map((j: any) => j.queue_position)).toEqual([1, 2, 3]);
    const mineB = await list('mine=true', headersOf(b));
    expect(mineB.body.jobs.map((j: any) => j.queue_position)).toEqual([4, 5, 6]);
    for (const row of mineB.body.jobs) {
      const status = await api(sq.url, 'GET', `/api/v1/queue/jobs/${row.mobilesd_job_id}/status`, undefined, headersOf(b));
      expect(status.body.queue_position).toBe(row.queue_position);
    }
  });

  it('every pending row of the unfiltered list has its position; finished rows have null', async () => {
    const cancelled = await api(sq.url, 'POST', `/api/v1/queue/jobs/${ids.ui[0]}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    const res = await list('limit=4&offset=2');
    expect(res.body.jobs.map((j: any) => j.queue_position)).toEqual([3, 4, 5, 6]);
    const finished = await list('status=cancelled');
    expect(finished.body.jobs.map((j: any) => [j.mobilesd_job_id, j.queue_position])).toEqual([[ids.ui[0], null]]);
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${ids.ui[0]}/retry`);
    const last = await list('status=pending&limit=1&offset=8');
    expect(last.body.jobs.map((j: any) => [j.mobilesd_job_id, j.queue_position])).toEqual([[ids.ui[0], 9]]);
  });

  it('a key moving its own job to the top sees it at position 1', async () => {
    const moved = await api(sq.url, 'POST', `/api/v1/queue/jobs/${ids.b[2]}/reorder`, { to: 'top' }, headersOf(b));
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const res = await list('mine=true', headersOf(b));
    expect(res.body.jobs.map((j: any) => [j.mobilesd_job_id, j.queue_position])).toEqual([[ids.b[2], 1], [ids.b[0], 5], [ids.b[1], 6]]);
    expect((await list('mine=true', headersOf(a))).body.jobs.map((j: any) => j.queue_position)).toEqual([2, 3, 4]);
  });

  it('source= filters by where the job came from', async () => {
    const res = await list('source=comfyui_extension');
    expect(res.body.jobs.map((j: any) => j.mobilesd_job_id).sort()).toEqual([...ids.b].sort());
    expect(res.body.jobs.every((j: any) => j.source_info === 'comfyui_extension')).toBe(true);
    expect((await list('source=nothing-sent-this')).body).toMatchObject({ jobs: [], total: 0 });
    expect((await list('source=')).status).toBe(400);
  });

  it('api_key_id: a key may name only itself; the UI (admin) may name any key', async () => {
    const own = await list(`api_key_id=${a.id}`, headersOf(a));
    expect(own.body.jobs.map((j: any) => j.mobilesd_job_id).sort()).toEqual([...ids.a].sort());
    const other = await list(`api_key_id=${a.id}`, headersOf(b));
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('not_your_key');
    expect(other.body.message).toMatch(/mine=true/);
    const conflicting = await list(`mine=true&api_key_id=${a.id}`, headersOf(b));
    expect(conflicting.status).toBe(400);
    const fromUi = await list(`api_key_id=${b.id}`);
    expect(fromUi.body.jobs.map((j: any) => j.mobilesd_job_id).sort()).toEqual([...ids.b].sort());
  });

  it('mine=true without an API key is a clear 400', async () => {
    const res = await list('mine=true');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'mine_needs_api_key' });
    expect(res.body.message).toMatch(/api_key_id= or source=/);
  });
});
