import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../electron/engine/db/connection.ts';
import { MIGRATIONS } from '../../../electron/engine/db/migrations/index.ts';
import { JobStore, type FreeSlot } from '../../../electron/engine/queue/job-store.ts';
import type { JobRow } from '../../../electron/engine/queue/job-row.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const forge: FreeSlot = { alias: 'f1', appType: 'forge' };
const first = (candidates: JobRow[]) => (candidates[0] ? { job: candidates[0], alias: 'f1', overtaken: [] } : null);

describe('JobStore on a real SQLite file', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let db: Db;
  let clock: FakeClock;
  let store: JobStore;
  const add = (prompt: string, priority = 5, target = 'f1') =>
    store.insert({ target_server_alias: target, app_type: 'forge', priority, generation_params: { positive_prompt: prompt }, max_attempts: 3 });

  beforeEach(() => {
    tmp = makeTempDir();
    db = openDatabase(path.join(tmp.dir, 'q.db'));
    clock = new FakeClock();
    store = new JobStore(db, clock);
  });
  afterEach(() => {
    db.close();
    tmp.cleanup();
  });

  it('sets WAL and synchronous=FULL on every open, and migrates to the newest version', () => {
    db.close();
    db = openDatabase(path.join(tmp.dir, 'q.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('refuses a database from a newer StableQueue', () => {
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDatabase(path.join(tmp.dir, 'q.db'))).toThrow(/newer than this StableQueue/);
    db = new Database(path.join(tmp.dir, 'q.db'));
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });

  it('claims FIFO within a priority, higher priority first', () => {
    const a = add('a');
    const b = add('b');
    const urgent = add('urgent', 9);
    const order = [1, 2, 3].map(() => {
      const job = store.claimNext([forge], first)!;
      store.finishWithImages(job, 'completed', [], null);
      return job.mobilesd_job_id;
    });
    expect(order).toEqual([urgent.mobilesd_job_id, a.mobilesd_job_id, b.mobilesd_job_id]);
    expect(store.claimNext([forge], first)).toBeNull();
  });

  it('never hands the same job to two connections', () => {
    for (let i = 0; i < 20; i++) add(`job ${i}`);
    const other = new JobStore(openDatabase(path.join(tmp.dir, 'q.db')), clock);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      for (const s of [store, other]) {
        const job = s.claimNext([forge], first);
        expect(job).not.toBeNull();
        expect(seen.has(job!.mobilesd_job_id)).toBe(false);
        seen.add(job!.mobilesd_job_id);
      }
    }
    expect(seen.size).toBe(20);
  });

  it('fences completion on the lease token: a stale attempt cannot overwrite a newer one', () => {
    add('x');
    const firstAttempt = store.claimNext([forge], first)!;
    expect(store.release(firstAttempt, { error: 'transient' })).toBe(true);
    const second = store.claimNext([forge], first)!;
    expect(second.attempts).toBe(2);
    expect(store.finishWithImages(firstAttempt, 'completed', [], null)).toBe(false);
    expect(store.get(second.mobilesd_job_id)!.status).toBe('processing');
    expect(store.finishWithImages(second, 'completed', [], null)).toBe(true);
  });

  it('records images with the completion in one transaction and ignores a duplicate image row', () => {
    add('x');
    const job = store.claimNext([forge], first)!;
    const image = { idx: 0, file_path: 'a.png', mime: 'image/png', bytes: 1, sha256: 'x', width: 1, height: 1, seed: 1, infotext: null };
    expect(store.finishWithImages(job, 'completed', [image, image], { seed: 1 })).toBe(true);
    expect(store.images(job.mobilesd_job_id)).toHaveLength(1);
  });

  it('reorders pending jobs: top, bottom, before and after another job', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((p) => add(p));
    const ids = () => store.list({ statuses: ['pending'], limit: 10, offset: 0 }).rows.map((r) => r.positive_prompt).join('');
    expect(ids()).toBe('abcd');
    store.reorder(d.mobilesd_job_id, { to: 'top' });
    expect(ids()).toBe('dabc');
    store.reorder(d.mobilesd_job_id, { to: 'bottom' });
    expect(ids()).toBe('abcd');
    store.reorder(d.mobilesd_job_id, { before: b.mobilesd_job_id });
    expect(ids()).toBe('adbc');
    store.reorder(a.mobilesd_job_id, { after: c.mobilesd_job_id });
    expect(ids()).toBe('dbca');
    expect(store.reorder(a.mobilesd_job_id, { before: a.mobilesd_job_id })).toBe('bad_anchor');
  });

  it('keeps order through many midpoint moves (renumbers when floats run out)', () => {
    const jobs = ['a', 'b', 'c'].map((p) => add(p));
    for (let i = 0; i < 80; i++) {
      store.reorder(jobs[2].mobilesd_job_id, { before: jobs[1].mobilesd_job_id });
      store.reorder(jobs[1].mobilesd_job_id, { before: jobs[2].mobilesd_job_id });
    }
    const order = store.list({ statuses: ['pending'], limit: 10, offset: 0 }).rows.map((r) => r.positive_prompt).join('');
    expect(order).toBe('abc');
  });

  it('waits out the backoff: a released job is not claimable before run_after', () => {
    add('x');
    const job = store.claimNext([forge], first)!;
    store.release(job, { runAfter: clock.now() + 5_000 });
    expect(store.claimNext([forge], first)).toBeNull();
    expect(store.nextWakeAt()).toBe(clock.now() + 5_000);
    clock.advance(5_001);
    expect(store.claimNext([forge], first)).not.toBeNull();
  });

  it('refunds the attempt when the server was offline', () => {
    add('x');
    const job = store.claimNext([forge], first)!;
    store.release(job, { refundAttempt: true });
    expect(store.get(job.mobilesd_job_id)!.attempts).toBe(0);
  });

  it('recovers a job left processing: requeued, or failed after the maximum', () => {
    add('x');
    let job = store.claimNext([forge], first)!;
    expect(store.recoverInterrupted(job)).toBe('requeued');
    expect(store.get(job.mobilesd_job_id)!.status).toBe('pending');
    for (let i = 0; i < 2; i++) {
      job = store.claimNext([forge], first)!;
      store.recoverInterrupted(store.get(job.mobilesd_job_id)!);
    }
    const row = store.get(job.mobilesd_job_id)!;
    expect(row.status).toBe('failed');
    expect(row.error_message).toMatch(/Interrupted 3 times/);
  });

  it('a job the server already accepted reattaches after a crash without counting a new attempt', () => {
    add('x');
    for (let crash = 0; crash < 4; crash++) {
      const job = store.claimNext([forge], first)!;
      store.setBackendTaskId(job, 'prompt-1');
      expect(store.recoverInterrupted(store.get(job.mobilesd_job_id)!)).toBe('requeued');
      const row = store.get(job.mobilesd_job_id)!;
      expect(row).toMatchObject({ status: 'pending', attempts: 0, backend_task_id: 'prompt-1', target_server_alias: forge.alias });
    }
  });

  it('only offers jobs to slots of their server or app type; auto jobs to any', () => {
    add('for f2', 5, 'f2');
    const auto = add('auto', 5, 'auto');
    const claimed = store.claimNext([forge], first)!;
    expect(claimed.mobilesd_job_id).toBe(auto.mobilesd_job_id);
    expect(store.claimNext([forge], first)).toBeNull();
    expect(store.claimNext([{ alias: 'c1', appType: 'comfyui' }], first)).toBeNull();
  });

  it('lists running, then pending in dispatch order, then finished newest first, with paging', () => {
    const a = add('a');
    add('b');
    add('c', 9);
    const running = store.claimNext([forge], first)!; // c
    store.finishWithImages(running, 'completed', [], null);
    const next = store.claimNext([forge], first)!; // a
    expect(next.mobilesd_job_id).toBe(a.mobilesd_job_id);
    const all = store.list({ limit: 10, offset: 0 });
    expect(all.rows.map((r) => `${r.positive_prompt}:${r.status}`)).toEqual(['a:processing', 'b:pending', 'c:completed']);
    expect(all.total).toBe(3);
    expect(store.list({ limit: 1, offset: 1 }).rows.map((r) => r.positive_prompt)).toEqual(['b']);
  });

  it('cancels pending jobs at once and flags running ones', () => {
    const a = add('a');
    const b = add('b');
    store.claimNext([forge], first);
    expect(store.cancel(b.mobilesd_job_id)).toBe('cancelled');
    expect(store.cancel(a.mobilesd_job_id)).toBe('running');
    expect(store.cancel(b.mobilesd_job_id)).toBe('finished');
    expect(store.cancel('00000000-0000-4000-8000-000000000000')).toBe('not_found');
  });
  it('filters the list by source and API key, counting only what matches', () => {
    const job = (source: string | null, key: string | null) => store.insert({
      target_server_alias: 'f1', app_type: 'forge', priority: 5, generation_params: { positive_prompt: `${source}/${key}` },
      source_info: source, api_key_id: key, max_attempts: 3,
    });
    job('forge_extension', 'key-a');
    job('forge_extension', 'key-b');
    job('comfyui_extension', 'key-a');
    job('web_ui', null);
    const prompts = (q: Partial<Parameters<JobStore['list']>[0]>) => {
      const page = store.list({ limit: 10, offset: 0, ...q });
      return { prompts: page.rows.map((r) => r.positive_prompt), total: page.total };
    };
    expect(prompts({ sourceInfo: 'forge_extension' })).toEqual({ prompts: ['forge_extension/key-a', 'forge_extension/key-b'], total: 2 });
    expect(prompts({ apiKeyId: 'key-a' })).toEqual({ prompts: ['forge_extension/key-a', 'comfyui_extension/key-a'], total: 2 });
    expect(prompts({ apiKeyId: 'key-a', sourceInfo: 'comfyui_extension' })).toEqual({ prompts: ['comfyui_extension/key-a'], total: 1 });
    expect(prompts({ apiKeyId: 'nobody' })).toEqual({ prompts: [], total: 0 });
    expect(prompts({}).total).toBe(4);
  });

  it('gives every pending row of any filtered page the same queue position as queuePosition', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const jobs = store.insertMany(Array.from({ length: 240 }, (_, i) => ({
      target_server_alias: 'f1', app_type: i % 5 === 0 ? 'comfyui' : 'forge', priority: 1 + Math.floor(random() * 4) * 3,
      generation_params: { positive_prompt: `job ${i}` }, source_info: i % 3 === 0 ? 'forge_extension' : 'web_ui',
      api_key_id: i % 4 === 0 ? 'key-a' : 'key-b', max_attempts: 3,
    })));
    for (const i of [17, 100, 230]) store.reorder(jobs[i].mobilesd_job_id, { to: 'top' });
    store.reorder(jobs[50].mobilesd_job_id, { before: jobs[3].mobilesd_job_id });
    for (let i = 0; i < 6; i++) store.claimNext([forge], first);
    store.cancel(jobs[9].mobilesd_job_id);
    // positions are places in the one dispatch order of all pending jobs
    const allPending = store.list({ statuses: ['pending'], limit: 1000, offset: 0 }).rows;
    expect(allPending.map((row) => store.queuePosition(row))).toEqual(allPending.map((_, i) => i + 1));

    const filters: Partial<Parameters<JobStore['list']>[0]>[] = [
      {}, { apiKeyId: 'key-a' }, { sourceInfo: 'forge_extension' }, { appType: 'comfyui' }, { apiKeyId: 'key-b', statuses: ['pending'] },
    ];
    for (const filter of filters) {
      let checked = 0;
      for (let offset = 0; offset < 240; offset += 17) {
        const rows = store.list({ limit: 17, offset, ...filter }).rows;
        const positions = store.queuePositions(rows);
        for (const row of rows) {
          expect(positions.get(row.mobilesd_job_id) ?? null, `${JSON.stringify(filter)} ${row.positive_prompt}`).toBe(store.queuePosition(row));
          if (row.status === 'pending') checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
    }
    // dispatch order agrees: the first claimable job is the one at position 1
    const head = store.list({ statuses: ['pending'], limit: 1, offset: 0 }).rows[0];
    expect(store.queuePosition(head)).toBe(1);
  });
});
