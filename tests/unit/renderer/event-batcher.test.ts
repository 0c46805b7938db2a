import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/events.ts';
import type { JobSummary } from '../../../shared/jobs.ts';
import { EVENT_BATCH_MAX_MS, EVENT_BATCH_MS, EventBatcher } from '../../../renderer/src/api/event-batcher.ts';
import { coalesce } from '../../../shared/live-coalesce.ts';

const job = (id: string, status: JobSummary['status'] = 'pending') => ({ mobilesd_job_id: id, status }) as JobSummary;
const progress = (id: string, p: number): EngineEvent => ({ type: 'job.progress', job_id: id, progress: p, eta_seconds: null, step: null, steps: null, has_preview: false });
const describeEvent = (e: EngineEvent) => ('job' in e ? `${e.type}:${e.job.mobilesd_job_id}:${e.job.status}` : 'job_id' in e ? `${e.type}:${e.job_id}${e.type === 'job.progress' ? `:${e.progress}` : ''}` : e.type);

describe('live event batches', () => {
  it('a burst is delivered once, after the delay, in order', () => {
    const scheduled: Array<() => void> = [];
    const got: string[] = [];
    const batcher = new EventBatcher((e) => got.push(describeEvent(e)), { setTimeout: (fn) => scheduled.push(fn) });
    for (let i = 0; i < 5000; i++) batcher.push({ type: 'job.created', job: job(`j${i}`) });
    expect(got).toEqual([]);
    expect(scheduled).toHaveLength(1); // one timer for the whole burst
    scheduled[0]!();
    expect(got).toHaveLength(5000);
    expect(got[0]).toBe('job.created:j0:pending');
    expect(got[4999]).toBe('job.created:j4999:pending');
    batcher.push({ type: 'job.deleted', job_id: 'j1' });
    expect(scheduled).toHaveLength(2);
  });

  it('drops a progress or update that a later one of the same job supersedes, nothing else', () => {
    const events: EngineEvent[] = [
      { type: 'job.created', job: job('a') },
      progress('a', 10), progress('b', 5), progress('a', 20),
      { type: 'job.updated', job: job('a', 'processing') },
      progress('a', 30), progress('a', 40),
      { type: 'queue.state', paused: false, counts: {} },
      { type: 'job.updated', job: job('b', 'processing') },
      { type: 'job.finished', job: job('b', 'completed') },
      { type: 'job.finished', job: job('a', 'completed') },
    ];
    expect(coalesce(events).map(describeEvent)).toEqual([
      'job.created:a:pending',
      'job.progress:b:5',
      'job.progress:a:20', // kept: the job.updated after it is about a, so the later progress does not reach over it
      'job.updated:a:processing',
      'job.progress:a:40',
      'queue.state',
      'job.finished:b:completed',
      'job.finished:a:completed',
    ]);
  });

  it('a batch that was slow to apply spaces the next ones out (up to 1 s), a fast one brings the base tick back', async () => {
    let clock = 0;
    const delays: number[] = [];
    const batcher = new EventBatcher(() => (clock += 1), { setTimeout: (_fn, ms) => delays.push(ms) }, () => clock);
    expect(batcher.delayMs).toBe(EVENT_BATCH_MS);
    for (let i = 0; i < 200; i++) batcher.push({ type: 'job.created', job: job(`j${i}`) }); // 1 ms each to apply
    batcher.flush();
    await Promise.resolve();
    expect(batcher.delayMs).toBe(600);
    for (let i = 0; i < 5000; i++) batcher.push({ type: 'job.created', job: job(`k${i}`) });
    expect(delays.at(-1)).toBe(600);
    batcher.flush();
    await Promise.resolve();
    expect(batcher.delayMs).toBe(EVENT_BATCH_MAX_MS);
    batcher.push({ type: 'job.deleted', job_id: 'k1' });
    batcher.flush();
    await Promise.resolve();
    expect(batcher.delayMs).toBe(EVENT_BATCH_MS);
  });

  it('keeps only the last queue.state of a batch (each carries the whole state)', () => {
    const events: EngineEvent[] = [
      { type: 'queue.state', paused: false, counts: { pending: 1 } },
      { type: 'job.created', job: job('a') },
      { type: 'queue.state', paused: false, counts: { pending: 2 } },
      { type: 'job.created', job: job('b') },
    ];
    expect(coalesce(events)).toEqual([events[1], events[2], events[3]]);
  });

  it('flush delivers what waits at once (before a resync refetch)', () => {
    const got: string[] = [];
    const batcher = new EventBatcher((e) => got.push(describeEvent(e)), { setTimeout: () => undefined });
    batcher.push({ type: 'job.deleted', job_id: 'x' });
    batcher.flush();
    expect(got).toEqual(['job.deleted:x']);
    batcher.flush();
    expect(got).toHaveLength(1);
  });
});
