import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../shared/events.ts';
import { openDatabase, type Db } from '../../../electron/engine/db/connection.ts';
import { EventBus } from '../../../electron/engine/event-bus.ts';
import { JobEvents, QUEUE_STATE_COALESCE_MS } from '../../../electron/engine/queue/job-events.ts';
import { JobStore, type FreeSlot } from '../../../electron/engine/queue/job-store.ts';
import type { LiveProgress } from '../../../electron/engine/queue/job-view.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const forge: FreeSlot = { alias: 'f1', appType: 'forge' };

describe('JobEvents: the one publisher of job changes', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let db: Db;
  let store: JobStore;
  let events: JobEvents;
  let seen: EngineEvent[];
  let wakes: number;
  let paused: boolean;
  const live = new Map<string, LiveProgress>();
  const add = () => store.insert({ target_server_alias: 'f1', app_type: 'forge', priority: 5, generation_params: { positive_prompt: 'p' }, max_attempts: 3 });
  const types = () => seen.map((e) => e.type);

  beforeEach(() => {
    vi.useFakeTimers();
    tmp = makeTempDir();
    db = openDatabase(path.join(tmp.dir, 'q.db'));
    store = new JobStore(db, new FakeClock());
    const bus = new EventBus();
    seen = [];
    bus.on((e) => seen.push(e));
    wakes = 0;
    paused = false;
    live.clear();
    events = new JobEvents({ jobs: store, bus, live, isPaused: () => paused });
    events.onWake(() => wakes++);
  });
  afterEach(() => {
    events.dispose();
    vi.useRealTimers();
    db.close();
    tmp.cleanup();
  });

  it('announces a new job, wakes the dispatcher, and publishes one coalesced queue.state', () => {
    const row = add();
    events.created(row);
    expect(seen).toEqual([{ type: 'job.created', job: expect.objectContaining({ mobilesd_job_id: row.mobilesd_job_id, status: 'pending' }) }]);
    expect(wakes).toBe(1);
    events.changed(row.mobilesd_job_id);
    events.changed(row.mobilesd_job_id);
    expect(types()).toEqual(['job.created', 'job.updated', 'job.updated']);
    expect(wakes).toBe(3);
    vi.advanceTimersByTime(QUEUE_STATE_COALESCE_MS);
    expect(seen.at(-1)).toEqual({ type: 'queue.state', paused: false, counts: expect.objectContaining({ pending: 1, processing: 0 }) });
    expect(types().filter((t) => t === 'queue.state')).toHaveLength(1);
  });

  it('a settled job is finished when its row is final, and updated when it went back to wait', () => {
    const row = add();
    const claimed = store.claimNext([forge], (candidates) => (candidates[0] ? { job: candidates[0], alias: forge.alias, overtaken: [] } : null))!;
    store.release(claimed, { runAfter: 0, error: 'Retrying after: 502' });
    events.settled(row.mobilesd_job_id);
    const again = store.claimNext([forge], (candidates) => (candidates[0] ? { job: candidates[0], alias: forge.alias, overtaken: [] } : null))!;
    store.fail(again, 'bad');
    events.settled(row.mobilesd_job_id);
    expect(seen).toEqual([
      { type: 'job.updated', job: expect.objectContaining({ status: 'pending' }) },
      { type: 'job.finished', job: expect.objectContaining({ status: 'failed', error_message: 'bad' }) },
    ]);
    expect(wakes).toBe(2);
  });

  it('a summary carries the live progress of a running job', () => {
    const row = add();
    store.claimNext([forge], (candidates) => (candidates[0] ? { job: candidates[0], alias: forge.alias, overtaken: [] } : null));
    live.set(row.mobilesd_job_id, { progress: 0.5, etaSeconds: 3, step: 10, steps: 20, preview: null, statusText: null, at: 0 });
    events.changed(row.mobilesd_job_id);
    expect(seen[0]).toEqual({ type: 'job.updated', job: expect.objectContaining({ status: 'processing', progress: 50, eta_seconds: 3 }) });
  });

  it('progress is published without waking anyone; a deleted job is announced', () => {
    const row = add();
    events.progress(row.mobilesd_job_id, { progress: 0.25, etaSeconds: null, step: 5, steps: 20, preview: null, statusText: 'Queued on server', at: 0 });
    expect(wakes).toBe(0);
    events.deleted(row.mobilesd_job_id);
    expect(seen).toEqual([
      { type: 'job.progress', job_id: row.mobilesd_job_id, progress: 25, eta_seconds: null, step: 5, steps: 20, has_preview: false, status_text: 'Queued on server' },
      { type: 'job.deleted', job_id: row.mobilesd_job_id },
    ]);
    expect(wakes).toBe(1);
  });

  it('queue.state reads the pause flag when it is sent, and dispose cancels a pending one', () => {
    events.queueChanged();
    paused = true;
    vi.advanceTimersByTime(QUEUE_STATE_COALESCE_MS);
    expect(seen).toEqual([{ type: 'queue.state', paused: true, counts: expect.any(Object) }]);
    events.queueChanged();
    events.dispose();
    vi.advanceTimersByTime(QUEUE_STATE_COALESCE_MS * 2);
    expect(seen).toHaveLength(1);
  });
});
