import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobSummary } from '../../../shared/jobs.ts';
import {
  desktopWants,
  JobNotifier,
  jobNotification,
  promptExcerpt,
  QUEUE_EMPTY_DELAY_MS,
  routeForNotification,
  type NotificationKind,
  type NotificationPayload,
} from '../../../electron/main/job-notifications.ts';

function job(overrides: Partial<JobSummary> = {}): JobSummary {
  return {
    mobilesd_job_id: '7b0c4a3e-1f7e-4f55-9d55-0c1d2e3f4a5b',
    app_type: 'forge',
    status: 'completed',
    priority: 0,
    position: 1,
    target_server_alias: 'auto',
    assigned_server_alias: 'gpu-box',
    creation_timestamp: '2026-01-01T00:00:00.000Z',
    last_updated_timestamp: '2026-01-01T00:01:00.000Z',
    started_timestamp: '2026-01-01T00:00:10.000Z',
    completion_timestamp: '2026-01-01T00:01:00.000Z',
    attempts: 1,
    max_attempts: 3,
    error_message: null,
    source_info: null,
    positive_prompt: 'a lighthouse on a cliff at dusk, dramatic clouds',
    checkpoint_name: 'sdxl.safetensors',
    image_count: 1,
    first_image_id: 42,
    progress: 100,
    eta_seconds: null,
    ...overrides,
  };
}

describe('notification payloads', () => {
  it('a completed job: title with the server, the prompt, its thumbnail, a click target', () => {
    expect(jobNotification(job())).toEqual({
      kind: 'job.finished',
      title: 'Job completed on gpu-box',
      body: 'a lighthouse on a cliff at dusk, dramatic clouds\n1 image',
      jobId: '7b0c4a3e-1f7e-4f55-9d55-0c1d2e3f4a5b',
      imageId: 42,
    });
    expect(jobNotification(job({ image_count: 4 }))!.body).toMatch(/\n4 images$/);
  });

  it('a failed job: the error first, then the prompt; no thumbnail', () => {
    const payload = jobNotification(job({ status: 'failed', error_message: 'CUDA out of memory', first_image_id: null, image_count: 0 }));
    expect(payload).toMatchObject({ kind: 'job.failed', title: 'Job failed on gpu-box', imageId: null });
    expect(payload!.body).toBe('CUDA out of memory\na lighthouse on a cliff at dusk, dramatic clouds');
  });

  it('uses the target alias before a server was assigned, and says when there is no prompt', () => {
    const payload = jobNotification(job({ status: 'failed', assigned_server_alias: null, target_server_alias: 'comfy', error_message: null, positive_prompt: '' }));
    expect(payload!.title).toBe('Job failed on comfy');
    expect(payload!.body).toBe('Unknown error\n(no prompt)');
  });

  it('cancelled and unfinished jobs do not notify', () => {
    expect(jobNotification(job({ status: 'cancelled' }))).toBeNull();
    expect(jobNotification(job({ status: 'processing' }))).toBeNull();
  });

  it('shortens long prompts to one line', () => {
    const long = `masterpiece,\n\n  best quality, ${'very '.repeat(40)}detailed`;
    const excerpt = promptExcerpt(long);
    expect(excerpt.length).toBeLessThanOrEqual(90);
    expect(excerpt).not.toContain('\n');
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt.startsWith('masterpiece, best quality, very')).toBe(true);
  });

  it('a click opens the job in the queue view', () => {
    expect(routeForNotification({ jobId: 'abc-123' })).toBe('queue?job=abc-123');
    expect(routeForNotification({ jobId: 'a b&c' })).toBe('queue?job=a%20b%26c');
    expect(routeForNotification({ jobId: null })).toBe('queue');
  });
});

describe('JobNotifier', () => {
  let sent: NotificationPayload[];
  let enabled: boolean;
  let unwanted: Set<NotificationKind>;
  let notifier: JobNotifier;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    enabled = true;
    unwanted = new Set();
    notifier = new JobNotifier({ notify: (payload) => sent.push(payload), wants: (kind) => enabled && !unwanted.has(kind) });
  });
  afterEach(() => {
    notifier.dispose();
    vi.useRealTimers();
  });

  const finished = (overrides: Partial<JobSummary>) => notifier.handleEvent({ type: 'job.finished', job: job(overrides) });
  const counts = (c: Record<string, number>, paused = false) => notifier.handleQueueSnapshot({ counts: c, paused });

  it('notifies once per finished job, and only for job.finished', () => {
    notifier.handleEvent({ type: 'job.updated', job: job() });
    notifier.handleEvent({ type: 'job.progress', job_id: 'x', progress: 50, eta_seconds: 3, step: 10, steps: 20, has_preview: false });
    finished({});
    finished({});
    expect(sent.map((p) => p.kind)).toEqual(['job.finished']);
  });

  it('respects the notifications preference', () => {
    enabled = false;
    finished({});
    expect(sent).toEqual([]);
  });

  it('asks about each kind: failures only, or everything but the drained queue', () => {
    unwanted = new Set(['job.finished', 'queue.drained']);
    counts({ processing: 2 });
    finished({ mobilesd_job_id: 'a' });
    finished({ mobilesd_job_id: 'b', status: 'failed', error_message: 'boom' });
    counts({});
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS);
    expect(sent.map((p) => p.kind)).toEqual(['job.failed']);

    unwanted = new Set(['queue.drained']);
    counts({ processing: 2 });
    finished({ mobilesd_job_id: 'c' });
    finished({ mobilesd_job_id: 'd' });
    counts({});
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS);
    expect(sent.map((p) => p.kind)).toEqual(['job.failed', 'job.finished', 'job.finished']);
  });

  it('the engine settings decide: the master switch, then the per-event choice', () => {
    const settings = { notifications_enabled: true, desktop_notify_events: ['job.failed', 'server.offline'] as NotificationKind[] };
    expect(desktopWants(settings, 'job.failed')).toBe(true);
    expect(desktopWants(settings, 'server.offline')).toBe(true);
    expect(desktopWants(settings, 'job.finished')).toBe(false);
    expect(desktopWants({ ...settings, notifications_enabled: false }, 'job.failed')).toBe(false);
  });

  it('a server going offline and coming back notifies once each; its first status at start does not', () => {
    const server = (status: string) => notifier.handleEvent({ type: 'server.status', server: { alias: 'gpu-box', status } } as never);
    server('online');
    server('online');
    server('offline');
    server('offline');
    server('online');
    expect(sent.map((p) => [p.kind, p.title])).toEqual([['server.offline', 'gpu-box is offline'], ['server.online', 'gpu-box is back online']]);
    unwanted = new Set(['server.offline']);
    server('offline');
    expect(sent).toHaveLength(2);
  });

  it('a finished batch notifies with its tally and its contact sheet as the picture', () => {
    notifier.handleEvent({ type: 'batch.finished', batch: { batch_id: 'b1', name: 'owls grid', job_count: 4, counts: { completed: 3, failed: 1 }, contact_sheets: [{ image_id: 77 }] } } as never);
    expect(sent).toEqual([{ kind: 'batch.finished', title: 'Batch finished: owls grid', body: '4 jobs: 3 completed, 1 failed. The contact sheet is ready.', jobId: null, imageId: 77 }]);
    unwanted = new Set(['batch.finished']);
    notifier.handleEvent({ type: 'batch.finished', batch: { batch_id: 'b2', name: null, job_count: 1, counts: { completed: 1 }, contact_sheets: [] } } as never);
    expect(sent).toHaveLength(1);
  });

  it('a finished model download notifies once, naming the file', () => {
    const download = (status: string) => notifier.handleEvent({ type: 'download.updated', download: { id: 'd1', status, file_name: 'juggernaut.safetensors' } } as never);
    download('queued');
    download('downloading');
    download('completed');
    download('completed');
    expect(sent).toEqual([{ kind: 'download.finished', title: 'Download finished', body: 'juggernaut.safetensors', jobId: null, imageId: null }]);
  });

  it('announces an empty queue after the debounce, once, with the tally', () => {
    counts({ pending: 2, processing: 1 });
    finished({ mobilesd_job_id: 'a' });
    finished({ mobilesd_job_id: 'b', status: 'failed', error_message: 'boom' });
    finished({ mobilesd_job_id: 'c' });
    counts({ pending: 0, processing: 0, completed: 2, failed: 1 });
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS - 1);
    expect(sent.filter((p) => p.kind === 'queue.drained')).toEqual([]);
    vi.advanceTimersByTime(1);
    const empty = sent.filter((p) => p.kind === 'queue.drained');
    expect(empty).toEqual([
      { kind: 'queue.drained', title: 'Queue finished', body: 'All jobs are done: 2 completed, 1 failed.', jobId: null, imageId: null },
    ]);
    // More empty snapshots do not repeat it.
    counts({ pending: 0 });
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS * 3);
    expect(sent.filter((p) => p.kind === 'queue.drained')).toHaveLength(1);
  });

  it('a queue refilled within the debounce does not announce', () => {
    counts({ processing: 1 });
    finished({ mobilesd_job_id: 'a' });
    finished({ mobilesd_job_id: 'b' });
    counts({});
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS / 2);
    counts({ pending: 1 });
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS * 2);
    expect(sent.filter((p) => p.kind === 'queue.drained')).toEqual([]);
    finished({ mobilesd_job_id: 'c' });
    counts({});
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS);
    expect(sent.filter((p) => p.kind === 'queue.drained').map((p) => p.body)).toEqual(['All jobs are done: 3 completed.']);
  });

  it('an idle app at start, or a single job, does not announce an empty queue', () => {
    counts({});
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS * 2);
    expect(sent).toEqual([]);
    counts({ pending: 1 });
    finished({});
    counts({});
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS * 2);
    expect(sent.map((p) => p.kind)).toEqual(['job.finished']);
  });

  it('a paused queue with jobs waiting is not empty', () => {
    counts({ processing: 1, pending: 3 });
    finished({ mobilesd_job_id: 'a' });
    finished({ mobilesd_job_id: 'b' });
    counts({ pending: 3 }, true);
    vi.advanceTimersByTime(QUEUE_EMPTY_DELAY_MS * 2);
    expect(sent.filter((p) => p.kind === 'queue.drained')).toEqual([]);
  });
});
