/**
 * The event stream under a burst, on a real engine over HTTP: 300 jobs submitted at once
 * each arrive as their own job.created event, in order, but in a few chunks instead of
 * one write per event, and the queue.state snapshots of a burst are folded into its last
 * one (whose counts are right).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor } from '../helpers/http.ts';

const JOBS = 300;

describe('live events under a burst of submissions', { timeout: 60_000 }, () => {
  let sq: TestEngine;
  beforeAll(async () => {
    sq = await startTestEngine();
    await api(sq.url, 'POST', '/api/v1/queue/pause');
  });
  afterAll(async () => sq?.stop());

  it(`${JOBS} job.created events in submission order, in far fewer chunks; queue.state folded`, async () => {
    let text = '';
    let chunks = 0;
    const req = http.get(`${sq.url}/api/v1/events`, { headers: { accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        chunks++;
        text += c;
      });
    });
    req.on('error', () => undefined);
    await waitFor(() => text.includes('event: queue.state'), { what: 'the first event' });
    chunks = 0;

    const ids: string[] = [];
    for (let i = 0; i < JOBS; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, JOBS - i) }, (_, k) =>
        api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'auto', generation_params: { positive_prompt: `burst ${i + k}`, width: 64, height: 64 } })));
      for (const res of batch) {
        expect(res.status).toBe(202);
        ids.push(res.body.mobilesd_job_id);
      }
    }
    const events = () => [...text.matchAll(/event: (\S+)\ndata: (.*)\n\n/g)].map((m) => ({ type: m[1]!, data: JSON.parse(m[2]!) }));
    await waitFor(() => events().filter((e) => e.type === 'job.created').length === JOBS, { what: `${JOBS} job.created events`, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    req.destroy();

    const all = events();
    const created = all.filter((e) => e.type === 'job.created').map((e) => e.data.job.mobilesd_job_id as string);
    expect(new Set(created)).toEqual(new Set(ids));
    // Each job's event comes after those of jobs created before it (the store's order).
    const rows = sq.engine.db.prepare('SELECT mobilesd_job_id FROM jobs ORDER BY rowid').all() as { mobilesd_job_id: string }[];
    expect(created).toEqual(rows.map((r) => r.mobilesd_job_id));
    const states = all.filter((e) => e.type === 'queue.state');
    console.log(`[live-burst] ${all.length} events (${states.length} queue.state) in ${chunks} chunks for ${JOBS} jobs`);
    expect(chunks).toBeLessThan(JOBS / 3);
    expect(states.length).toBeLessThan(JOBS / 3);
    expect(states.at(-1)!.data.counts.pending).toBe(JOBS);
  });
});
