/**
 * GET /api/v1/queue/jobs/:id answers with the same JobSummary as the queue list and the job
 * events, so a client that tracks one job (the Generate tab's last job) needs no second
 * shape: on a real engine, for a pending job, an unknown id and a malformed id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api } from '../helpers/http.ts';

describe('GET /api/v1/queue/jobs/:id', () => {
  let sq: TestEngine;
  beforeAll(async () => {
    sq = await startTestEngine();
    await api(sq.url, 'POST', '/api/v1/queue/pause'); // no servers and paused: the job stays pending
  });
  afterAll(async () => sq?.stop());

  it('answers a job exactly as its row in the queue list', async () => {
    const created = await api(sq.url, 'POST', '/api/v1/generate', {
      target_server_alias: 'auto', priority: 7, generation_params: { positive_prompt: 'a lighthouse', checkpoint_name: 'sdxl.safetensors' },
    });
    expect(created.status).toBe(202);
    const id = created.body.mobilesd_job_id as string;
    const one = await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      mobilesd_job_id: id, status: 'pending', priority: 7, positive_prompt: 'a lighthouse', checkpoint_name: 'sdxl.safetensors',
      image_count: 0, first_image_id: null, progress: 0,
    });
    const list = await api(sq.url, 'GET', '/api/v1/queue/jobs?status=pending');
    const row = list.body.jobs.find((j: { mobilesd_job_id: string }) => j.mobilesd_job_id === id);
    // The list adds the job's place in the queue and its forecast times; every other field is the same.
    const { queue_position: _position, estimated_start_time: _start, estimated_completion_time: _end, ...rowWithoutPosition } = row;
    expect(one.body).toEqual(rowWithoutPosition);
  });

  it('says clearly when there is no such job, and refuses an id that is not one', async () => {
    const missing = await api(sq.url, 'GET', '/api/v1/queue/jobs/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'job_not_found' });
    const malformed = await api(sq.url, 'GET', '/api/v1/queue/jobs/not-a-job');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: 'validation_error' });
  });
});
