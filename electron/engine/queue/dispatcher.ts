import type { Logger } from 'pino';
import type { JobRow, ClaimedJob } from './job-row.ts';
import { AUTO_SERVER } from '../../../shared/servers.ts';
import type { ImageRecord } from '../results/image-store.ts';
import type { FreeSlot, JobStore } from './job-store.ts';
import type { JobEvents } from './job-events.ts';
import type { LiveProgress } from './job-view.ts';
import type { ResourceDownload } from '../../../shared/jobs.ts';
import { retryDelayMs } from './retry-policy.ts';
import { CANCELLED_BY_USER, decideSettlement, type AttemptOutcome, type Settlement, type StopReason } from './settle-attempt.ts';
import { BackendError } from '../backends/types.ts';
import { isDiskFullError } from '../ops/disk-space.ts';
import type { RunnableJob, RunResult } from '../backends/types.ts';
import type { Clock } from '../clock.ts';
import type { ImageStore } from '../results/image-store.ts';
import type { RuntimeServer, ServerRegistry } from '../servers/server-registry.ts';
import type { GenerationParams } from '../../../shared/jobs.ts';
import { ruleBarrier, timeBarrier, waitVerdict } from '../servers/server-eligibility.ts';
import { demandsOf } from './job-demands.ts';
import type { DispatchStats } from './dispatch/dispatch-stats.ts';
import { fairShareOrder, shareKeyOf, withShareRanks, type RankedJob } from './dispatch/fair-share.ts';
import type { JobShape, JobShapes } from './dispatch/job-shape.ts';
import { QueueOrderLoads } from './dispatch/queue-order-loads.ts';
import { planNext, type DispatchPolicy, type PlannedStart, type PlanServer } from './dispatch/plan-next.ts';
import type { ForecastView } from './dispatch/queue-forecast.ts';

/** At most this often a running job's progress is published (previews and status texts always are). */
const PROGRESS_EVENT_MS = 250;
/** After asking a server to interrupt a cancelled job, how long to wait for its request to end. */
const CANCEL_GRACE_MS = 15_000;
/** At shutdown, how long to wait for the servers to be asked to interrupt the requeued jobs. */
const SHUTDOWN_CANCEL_WAIT_MS = 10_000;
/** Margin after a backoff's end before the wake-up pass, so the job is surely runnable. */
const WAKE_MARGIN_MS = 5;

/** An attempt's images on disk and the backend's details, ready for the completing write. */
interface SavedResult {
  records: ImageRecord[];
  details: Record<string, unknown>;
}

interface RunningAttempt {
  job: ClaimedJob;
  server: RuntimeServer;
  controller: AbortController;
  /** Set once when the engine stops the attempt itself (user cancel, shutdown, take-back). */
  stop: StopReason | null;
  /** The job was handed to the backend (the before-run hooks passed): a failure now may be a crash. */
  sent: boolean;
  done: Promise<void>;
  /** When it was claimed, what it asks of the GPU, whether it loads a model, and how long it should take. */
  startedAt: number;
  shape: JobShape;
  loadsModel: boolean;
  expectedMs: number;
}

/** How the dispatcher orders and places jobs (from the settings, read on every pass). */
export interface DispatchSettings extends DispatchPolicy {
  fairShare: boolean;
}

/** What a backend needs to cancel or take back a job: its ids, not its parameters. */
function cancelTarget(job: JobRow): RunnableJob {
  return { id: job.mobilesd_job_id, mode: job.mode, params: {}, backendTaskId: job.backend_task_id };
}

/**
 * Runs before a job is sent, e.g. to download a missing model first; throwing a BackendError
 * ends the attempt. A hook may return new generation params (e.g. the checkpoint's file name
 * filled in); they are used for this run and saved with the job.
 */
export type BeforeRunHook = (job: ClaimedJob, server: RuntimeServer) => Promise<void | Record<string, unknown>>;

/**
 * Thrown by a before-run hook to park the job in `downloading_resources`: its server slot
 * is freed and the attempt refunded; whoever parked it calls `JobStore.unpark` (or
 * `failParked`) later. `params` replace the job's generation params when given.
 */
export class JobParked extends Error {
  readonly params: Record<string, unknown> | undefined;
  constructor(message: string, params?: Record<string, unknown>) {
    super(message);
    this.name = 'JobParked';
    this.params = params;
  }
}

/**
 * Event driven: `kick()` after a new job, a finished job, a server coming online, a
 * resume or a backoff timer. Each pass claims jobs for every free server slot and starts
 * their attempts; nothing polls the table on a fixed interval.
 */
export class Dispatcher {
  readonly #jobs: JobStore;
  readonly #registry: ServerRegistry;
  readonly #images: ImageStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #events: JobEvents;
  readonly #deadlineMs: number;
  readonly #retryBaseMs: number;
  readonly #running = new Map<string, RunningAttempt>();
  /** Extensions each pending job needs (see #extensionsOf), by job id. */
  readonly #jobExtensions = new Map<string, string[]>();
  readonly #live: Map<string, LiveProgress>;
  readonly #beforeRun: BeforeRunHook[] = [];
  #paused: () => boolean;
  readonly #onDiskFull: (error: unknown) => Promise<string>;
  /** Jobs a full database would not even hand back to the queue; tried again on each pass. */
  readonly #unreleased = new Map<string, ClaimedJob>();
  readonly #stats: DispatchStats;
  readonly #shapes: JobShapes;
  readonly #settings: () => DispatchSettings;
  /** The model each server will have once the jobs sent to it ran (the last one's checkpoint). */
  readonly #plannedModel = new Map<string, string>();
  /** When each server last handed back a result: a job sent while another ran there starts then. */
  readonly #lastFinish = new Map<string, number>();
  /** Loads the jobs each server ran would have made in queue order, for "loads saved". */
  readonly #queueOrderLoads = new QueueOrderLoads();
  /** When each source (fair share) last had a job started. */
  readonly #lastServed = new Map<string, number>();
  /** Pending jobs no server's rules let run, found during a pass: failed after it, naming the rules. */
  readonly #unrunnable = new Map<string, string>();
  /** The queue had no work left at the last pass (the drain action ran then, not again). */
  #drained = true;
  readonly #beforePass: () => void;
  #scheduled = false;
  #stopping = false;
  #wakeTimer: NodeJS.Timeout | null = null;

  constructor(deps: {
    jobs: JobStore; registry: ServerRegistry; images: ImageStore; clock: Clock; logger: Logger;
    /** Publishes job changes; every published change wakes this dispatcher. */
    events: JobEvents;
    /** Live progress of running jobs, written here and read by the publisher for summaries. */
    live: Map<string, LiveProgress>;
    deadlineMs: number; retryBaseMs: number; isPaused: () => boolean;
    /** A write failed for lack of disk space: hold the queue; resolves with the message to show. */
    onDiskFull?: (error: unknown) => Promise<string>;
    /** Learned run times and model loads: where jobs go, and what is recorded when they end. */
    stats: DispatchStats;
    shapes: JobShapes;
    settings: () => DispatchSettings;
    /** Runs at the start of every pass, before the paused check (the queue's stop time may pause it). */
    beforePass?: () => void;
  }) {
    this.#beforePass = deps.beforePass ?? (() => {});
    this.#stats = deps.stats;
    this.#shapes = deps.shapes;
    this.#settings = deps.settings;
    this.#onDiskFull = deps.onDiskFull ?? (async (error) => `disk full: ${(error as Error)?.message ?? String(error)}`);
    this.#jobs = deps.jobs;
    this.#registry = deps.registry;
    this.#images = deps.images;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#events = deps.events;
    this.#live = deps.live;
    this.#events.onWake(() => this.kick());
    this.#deadlineMs = deps.deadlineMs;
    this.#retryBaseMs = deps.retryBaseMs;
    this.#paused = deps.isPaused;
  }

  addBeforeRun(hook: BeforeRunHook): void {
    this.#beforeRun.push(hook);
  }

  live(jobId: string): LiveProgress | undefined {
    return this.#live.get(jobId);
  }

  /** What a job parked in downloading_resources shows: its download's progress (null clears it). */
  setResourceDownload(jobId: string, download: ResourceDownload | null): void {
    if (!download) {
      if (this.#live.get(jobId)?.download) this.#live.delete(jobId);
      return;
    }
    const now = Date.now();
    this.#live.set(jobId, { progress: 0, etaSeconds: download.eta_seconds, step: null, steps: null, preview: null, statusText: null, at: now, download });
  }

  runningCount(): number {
    return this.#running.size;
  }

  /** Coalesces many kicks in one tick into one dispatch pass. */
  kick(): void {
    if (this.#scheduled || this.#stopping) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pass();
    });
  }

  #freeSlots(): FreeSlot[] {
    // A backend with `prefetch` (ComfyUI) takes that many more jobs into its own queue.
    const now = this.#clock.now();
    return this.#registry.all()
      .filter((s) => s.row.enabled && s.health === 'online' && s.running < s.row.max_concurrency + (s.backend.prefetch ?? 0) && !timeBarrier(s, now))
      .sort((a, b) => a.running - b.running || a.lastAssignedAt - b.lastAssignedAt)
      .map((s) => ({ alias: s.row.alias, appType: s.row.app_type }));
  }

  /** The extensions (always-on script titles) a job needs, read once per job. */
  #extensionsOf(job: JobRow): string[] {
    let titles = this.#jobExtensions.get(job.mobilesd_job_id);
    if (titles) return titles;
    titles = [];
    if (job.generation_params_json.includes('"alwayson_scripts"')) {
      const scripts = (JSON.parse(job.generation_params_json) as { alwayson_scripts?: unknown }).alwayson_scripts;
      if (scripts && typeof scripts === 'object' && !Array.isArray(scripts)) titles = Object.keys(scripts);
    }
    if (this.#jobExtensions.size >= 4096) this.#jobExtensions.clear();
    this.#jobExtensions.set(job.mobilesd_job_id, titles);
    return titles;
  }

  /**
   * Free servers for an auto-routed job that uses extensions: those not known to lack any.
   * When none is left and a busy server has them all, the job waits for it; when no server
   * has them, any may try, so the job ends with the backend's message naming the extension.
   */
  #withExtensions(job: JobRow, fitting: FreeSlot[]): FreeSlot[] | null {
    const titles = this.#extensionsOf(job);
    if (titles.length === 0) return fitting;
    const lacks = (server: RuntimeServer) => (server.backend.lacksExtensions?.(job.mode, titles)?.length ?? 0) > 0;
    const able = fitting.filter((slot) => !lacks(this.#registry.get(slot.alias)!));
    if (able.length) return able;
    const elsewhere = this.#registry.all().some((s) => s.row.app_type === job.app_type && s.row.enabled && s.health === 'online'
      && s.backend.lacksExtensions?.(job.mode, titles)?.length === 0);
    return elsewhere ? null : fitting;
  }

  /**
   * The free servers that may take a job now, the likeliest to have its model first; null
   * leaves it waiting. A job whose checkpoint no free server has waits for a busy one that
   * has it; when no server has it, a free one may try, so the job ends with the backend's
   * clear "not on this server" message.
   */
  #eligibleFree = (job: JobRow, slots: FreeSlot[]): string[] | null => {
    const demands = demandsOf(job);
    let fitting = slots.filter((s) => s.appType === job.app_type && (job.target_server_alias === AUTO_SERVER || s.alias === job.target_server_alias)
      && ruleBarrier(this.#registry.get(s.alias)!, demands) === null);
    if (fitting.length === 0) {
      const verdict = waitVerdict(demands, this.#registry.all(), this.#clock.now());
      if (verdict?.verdict === 'never') this.#unrunnable.set(job.mobilesd_job_id, verdict.reason);
      return null;
    }
    if (job.target_server_alias === AUTO_SERVER) {
      const withExtensions = this.#withExtensions(job, fitting);
      if (!withExtensions) return null;
      fitting = withExtensions;
    }
    const aliases = fitting.map((slot) => slot.alias);
    if (job.target_server_alias !== AUTO_SERVER || !job.checkpoint_name) return aliases;
    const name = job.checkpoint_name;
    const servers = fitting.map((slot) => this.#registry.get(slot.alias)!);
    const known = servers.filter((server) => this.#registry.loadedMatches(server, name) || this.#registry.hasCheckpoint(server, name) === true);
    if (known.length) return known.map((server) => server.row.alias);
    const elsewhere = this.#registry.all().some((s) => s.row.app_type === job.app_type && s.row.enabled
      && s.health === 'online' && this.#registry.hasCheckpoint(s, name) === true);
    if (elsewhere) return null;
    const unknown = servers.filter((server) => this.#registry.hasCheckpoint(server, name) === null);
    return (unknown.length ? unknown : servers).map((server) => server.row.alias);
  };

  /** Whether a busy server could take an auto-routed job once free (so waiting for it makes sense). */
  #canRunLater = (job: JobRow, alias: string): boolean => {
    const server = this.#registry.get(alias);
    if (!server || job.target_server_alias !== AUTO_SERVER) return false;
    return timeBarrier(server, this.#clock.now()) === null && this.#mayRun(job, server);
  };

  /**
   * Whether a server may run a job at all (time aside): its kind and target, its rules, the
   * extensions it has, and the checkpoint when its list is known (unknown counts as yes).
   */
  #mayRun(job: JobRow, server: RuntimeServer): boolean {
    if (server.row.app_type !== job.app_type) return false;
    if (job.target_server_alias !== AUTO_SERVER && job.target_server_alias !== server.row.alias) return false;
    if (ruleBarrier(server, demandsOf(job)) !== null) return false;
    const titles = this.#extensionsOf(job);
    if (titles.length && (server.backend.lacksExtensions?.(job.mode, titles)?.length ?? 0) > 0) return false;
    return !job.checkpoint_name || this.#registry.hasCheckpoint(server, job.checkpoint_name) !== false;
  }

  /**
   * The servers as the queue forecast sees them: each enabled online one (free now or when its
   * running jobs should end, from when its allowed hours let it start again, with the model it
   * will have), and which jobs each may run. A paused server takes nothing, so it is left out.
   */
  forecastView(): ForecastView {
    const now = this.#clock.now();
    const settings = this.#settings();
    const servers = this.#planServers(this.#freeSlots(), { outsideHours: true }).flatMap((plan) => {
      const server = this.#registry.get(plan.alias)!;
      const barrier = timeBarrier(server, now);
      if (barrier && barrier.until === null) return [];
      return [{ ...plan, availableAt: Math.max(plan.availableAt, barrier?.until ?? now), lanes: server.row.max_concurrency }];
    });
    return {
      servers,
      mayRun: (job, alias) => { const server = this.#registry.get(alias); return !!server && this.#mayRun(job, server); },
      policy: settings,
      order: (rows) => settings.fairShare ? fairShareOrder(withShareRanks(rows), (source) => this.#lastServed.get(source) ?? 0) : rows,
    };
  }

  /**
   * When a running job should end, from its start and the learned times (one that runs over
   * its estimate is assumed nearly done); null when it does not run here.
   */
  expectedEnd(jobId: string): number | null {
    const attempt = this.#running.get(jobId);
    if (!attempt) return null;
    return Math.max(attempt.startedAt + attempt.expectedMs, this.#clock.now() + attempt.expectedMs * 0.1);
  }

  /** What the dispatcher has learned (speeds, model loads) for the API and the forecast. */
  get stats(): DispatchStats {
    return this.#stats;
  }

  /** The online servers as the planner sees them: free or when they will be, and the model they will have. */
  #planServers(slots: FreeSlot[], opts: { outsideHours?: boolean } = {}): PlanServer[] {
    const now = this.#clock.now();
    const free = new Set(slots.map((s) => s.alias));
    const endOf = new Map<string, number>();
    for (const attempt of this.#running.values()) {
      const end = this.expectedEnd(attempt.job.mobilesd_job_id)!;
      const alias = attempt.server.row.alias;
      endOf.set(alias, Math.min(endOf.get(alias) ?? Infinity, end));
    }
    return this.#registry.all().filter((s) => s.row.enabled && s.health === 'online' && (opts.outsideHours || !timeBarrier(s, now))).map((s) => ({
      alias: s.row.alias,
      free: free.has(s.row.alias),
      availableAt: s.running < s.row.max_concurrency ? now : endOf.get(s.row.alias) ?? now,
      checkpoint: this.#modelOf(s),
    }));
  }

  /**
   * The model a server has (or will have once the jobs sent to it ran): what the last job sent
   * there asked for, else what its health check reported. Not the reverse: a job's result is
   * noted after its images are saved, while the next job is already being chosen, and Forge
   * reports the checkpoint selected in its own UI, not the weights still in memory.
   */
  #modelOf(server: RuntimeServer): string | null {
    return this.#plannedModel.get(server.row.alias) ?? server.loadedCheckpoint;
  }

  /** Chooses the next job and its server among the candidates the store read (see planNext). */
  #plan(candidates: RankedJob[], slots: FreeSlot[]) {
    const settings = this.#settings();
    const ordered = settings.fairShare ? fairShareOrder(candidates, (source) => this.#lastServed.get(source) ?? 0) : candidates;
    return planNext({
      now: this.#clock.now(), candidates: ordered, servers: this.#planServers(slots),
      freeFor: (job) => this.#eligibleFree(job, slots), canRunLater: this.#canRunLater,
      shapeOf: (job) => this.#shapes.of(job), cost: this.#stats, policy: settings,
    });
  }

  #pass(): void {
    if (this.#stopping) return;
    for (const job of [...this.#unreleased.values()]) this.#releaseWaitingForSpace(job);
    this.#beforePass();
    if (this.#paused()) return;
    const fairShare = this.#settings().fairShare;
    for (;;) {
      const slots = this.#freeSlots();
      let choice: PlannedStart | null = null;
      const claimed = this.#jobs.claimNext(slots, (candidates) => (choice = this.#plan(candidates, slots)), { fairShare });
      if (!claimed || !choice) break;
      const server = this.#registry.get(claimed.assigned_server_alias)!;
      this.#noteStart(claimed, server, choice);
      server.running++;
      server.lastAssignedAt = this.#clock.now();
      this.#drained = false;
      this.#start(claimed, server, (choice as PlannedStart).loadsModel);
    }
    this.#failUnrunnable();
    this.#drainAction();
    this.#scheduleWake();
  }

  /** Fails the pending jobs this pass found no server's rules would ever let run. */
  #failUnrunnable(): void {
    for (const [id, reason] of this.#unrunnable) {
      if (this.#jobs.failPending(id, reason)) {
        this.#logger.warn({ job: id, err: reason }, 'job fails: no server can take it');
        this.#events.settled(id);
      }
    }
    this.#unrunnable.clear();
  }

  /** When the queue has just run out of work, each server whose drain action says so frees its GPU. */
  #drainAction(): void {
    if (this.#drained || this.#running.size > 0) return;
    const counts = this.#jobs.counts();
    if (counts.pending + counts.processing + counts.downloading_resources > 0) return;
    this.#drained = true;
    for (const server of this.#registry.all()) {
      if (server.row.enabled && server.row.drain_action === 'unload' && server.health === 'online') this.#registry.requestUnload(server.row.alias, 'the queue drained');
    }
  }

  // Jobs backing off after a transient error become runnable later: wake up then.
  #scheduleWake(): void {
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = null;
    // A server whose allowed hours begin later takes jobs then: wake at its opening too.
    const now = this.#clock.now();
    const openings = this.#registry.all().map((s) => (s.row.enabled ? timeBarrier(s, now)?.until ?? null : null));
    const times = [this.#jobs.nextWakeAt(), ...openings].filter((t): t is number => t !== null);
    if (times.length === 0) return;
    const at = Math.min(...times);
    this.#wakeTimer = setTimeout(() => this.kick(), Math.max(0, at - this.#clock.now()) + WAKE_MARGIN_MS);
    this.#wakeTimer.unref();
  }

  /** Records what starting this job means: the model its server will have, a load made or saved, the source served. */
  #noteStart(job: ClaimedJob, server: RuntimeServer, choice: { loadsModel: boolean }): void {
    const alias = server.row.alias;
    this.#stats.addSaved(alias, this.#queueOrderLoads.add(alias, this.#modelOf(server), job, choice.loadsModel));
    if (job.checkpoint_name) this.#plannedModel.set(alias, job.checkpoint_name);
    if (choice.loadsModel) this.#stats.recordLoad(alias, job.mobilesd_job_id);
    this.#lastServed.set(shareKeyOf(job), this.#clock.now());
  }

  #start(job: ClaimedJob, server: RuntimeServer, loadsModel: boolean): void {
    const controller = new AbortController();
    const shape = this.#shapes.of(job);
    const alias = server.row.alias;
    const expectedMs = this.#stats.runMs(alias, shape) + (loadsModel ? this.#stats.loadMs(alias) : 0);
    const attempt: RunningAttempt = {
      job, server, controller, stop: null, sent: false, done: Promise.resolve(), startedAt: this.#clock.now(), shape, loadsModel, expectedMs,
    };
    this.#running.set(job.mobilesd_job_id, attempt);
    this.#registry.emitStatus(server);
    this.#events.changed(job.mobilesd_job_id);
    attempt.done = this.#run(attempt).catch((error: unknown) => {
      this.#logger.error({ err: error, job: job.mobilesd_job_id }, 'attempt bookkeeping failed');
    });
  }

  #releaseSlot(attempt: RunningAttempt): void {
    attempt.server.running = Math.max(0, attempt.server.running - 1);
    this.#registry.emitStatus(attempt.server);
    this.#registry.noteIdle(attempt.server);
    this.kick();
  }

  async #run(attempt: RunningAttempt): Promise<void> {
    const { job, server, controller } = attempt;
    const log = this.#logger.child({ job: job.mobilesd_job_id, alias: server.row.alias, attempt: job.attempts });
    const deadline = setTimeout(() => {
      controller.abort(new BackendError('transient', `no result within the per-attempt deadline of ${Math.round(this.#deadlineMs / 1000)} s`));
    }, this.#deadlineMs);
    try {
      const sent = await this.#send(attempt, log).then((result) => ({ result }), (thrown: unknown) => ({ thrown }));
      this.#noteRunTime(attempt, 'result' in sent && !sent.result.interrupted && attempt.stop === null);
      // The GPU is free the moment the response is in: start the next job while we save.
      this.#releaseSlot(attempt);
      const { outcome, saved } = 'result' in sent
        ? await this.#save(attempt, sent.result, log)
        : { outcome: this.#outcomeOfThrow(attempt, sent.thrown), saved: null };
      const settlement = decideSettlement({
        stop: attempt.stop, outcome, attempts: job.attempts, maxAttempts: job.max_attempts,
        retryDelayMs: (attempts) => retryDelayMs(attempts, this.#retryBaseMs),
        crash: await this.#crashDuring(attempt, outcome),
        biggerServerFits: outcome.type === 'error' && outcome.error.kind === 'out_of_memory' && this.#biggerServerFits(attempt),
      });
      // Deadline: the server may still be generating; free its GPU before the job moves on.
      if ('interruptBackend' in settlement && settlement.interruptBackend) await server.backend.cancel(cancelTarget(job));
      this.#apply(attempt, settlement, saved, log);
    } finally {
      clearTimeout(deadline);
      this.#running.delete(job.mobilesd_job_id);
      this.#live.delete(job.mobilesd_job_id);
      this.#events.settled(job.mobilesd_job_id);
    }
  }

  /**
   * Learns from a finished run how long it took: from its claim, or from when the job before
   * it on the same server handed back its result if that was later (it waited in the
   * server's own queue meanwhile). Only runs that made their images count.
   */
  #noteRunTime(attempt: RunningAttempt, succeeded: boolean): void {
    const alias = attempt.server.row.alias;
    const now = this.#clock.now();
    const began = Math.max(attempt.startedAt, this.#lastFinish.get(alias) ?? 0);
    this.#lastFinish.set(alias, now);
    if (succeeded) this.#stats.recordRun(alias, attempt.shape, now - began, attempt.loadsModel);
  }

  /**
   * Hands a job whose result the full database refused back to the queue. The release is a
   * write too and may be refused as well; then the job is kept here and released on a later
   * pass (the disk guard kicks one when space is back), never left processing.
   */
  #releaseWaitingForSpace(job: ClaimedJob): void {
    try {
      this.#jobs.release(job, { refundAttempt: true, error: 'Waiting: the database disk is full' });
      this.#unreleased.delete(job.mobilesd_job_id);
    } catch (error) {
      if (!isDiskFullError(error)) throw error;
      this.#unreleased.set(job.mobilesd_job_id, job);
    }
  }

  /** Writes a settlement to the store (fenced on the lease token). */
  #apply(attempt: RunningAttempt, settlement: Settlement, saved: SavedResult | null, log: Logger): void {
    const { job, server } = attempt;
    switch (settlement.action) {
      case 'complete':
        try {
          if (!this.#jobs.finishWithImages(job, settlement.status, saved?.records ?? [], saved?.details ?? null, settlement.error)) {
            log.warn('lease lost before completion; result discarded');
          }
        } catch (error) {
          if (!isDiskFullError(error)) throw error;
          // The database could not record them: the files go too, and the job waits for space.
          void Promise.all((saved?.records ?? []).map((r) => this.#images.remove(r.file_path)));
          void this.#onDiskFull(error);
          this.#releaseWaitingForSpace(job);
        }
        if (typeof saved?.details.checkpoint_title === 'string') this.#registry.noteLoadedCheckpoint(server.row.alias, saved.details.checkpoint_title);
        return;
      case 'cancel':
        this.#jobs.finishWithImages(job, 'cancelled', [], null, CANCELLED_BY_USER);
        return;
      case 'park':
        log.info({ reason: settlement.message }, 'job parked while resources download');
        this.#jobs.park(job, settlement.message, settlement.params);
        return;
      case 'quarantine':
        log.warn({ reason: settlement.reason }, 'job quarantined: its server went down during it again');
        this.#jobs.quarantine(job, settlement.reason);
        return;
      case 'fail':
        log.warn({ err: settlement.message }, 'job failed');
        this.#jobs.fail(job, settlement.message, settlement.details);
        return;
      case 'release':
        if (settlement.offline !== undefined) {
          log.warn({ dir: `engine→${server.row.app_type}`, err: settlement.offline }, 'server offline; job waits');
          this.#registry.markOffline(server.row.alias, settlement.offline);
        } else if (settlement.retryInMs !== undefined) {
          log.warn({ err: settlement.error, retryInMs: settlement.retryInMs }, 'transient failure; will retry');
        }
        this.#jobs.release(job, {
          refundAttempt: settlement.refundAttempt, error: settlement.error, crashed: settlement.crashed,
          ...(settlement.outOfMemory ? { oomVramBytes: Math.max(server.vram?.total ?? 0, job.oom_vram_bytes ?? 0) } : {}),
          ...(settlement.retryInMs !== undefined ? { runAfter: this.#clock.now() + settlement.retryInMs } : {}),
        });
    }
  }

  /** Runs the before-run hooks, then the backend; resolves with its result. */
  async #send(attempt: RunningAttempt, log: Logger): Promise<RunResult> {
    const { job, server, controller } = attempt;
    let lastProgressEvent = 0;
    const runnable: RunnableJob = {
      id: job.mobilesd_job_id,
      mode: job.mode,
      params: JSON.parse(job.generation_params_json) as GenerationParams,
      backendTaskId: job.backend_task_id,
    };
    for (const hook of this.#beforeRun) {
      const params = await hook(job, server);
      if (params) {
        runnable.params = params as GenerationParams;
        this.#jobs.setParams(job, params);
      }
    }
    log.info({ dir: `engine→${server.row.app_type}` }, 'job sent');
    attempt.sent = true;
    return server.backend.run(runnable, {
      signal: controller.signal,
      onSubmitted: (taskId) => this.#jobs.setBackendTaskId(job, taskId),
      onProgress: (update) => {
        const previous = this.#live.get(job.mobilesd_job_id);
        const live: LiveProgress = {
          progress: update.progress, etaSeconds: update.etaSeconds, step: update.step, steps: update.steps,
          preview: update.preview ?? previous?.preview ?? null, statusText: update.statusText ?? null, at: this.#clock.now(),
        };
        this.#live.set(job.mobilesd_job_id, live);
        const now = this.#clock.now();
        if (now - lastProgressEvent >= PROGRESS_EVENT_MS || update.preview || update.statusText !== previous?.statusText) {
          lastProgressEvent = now;
          this.#events.progress(job.mobilesd_job_id, live);
        }
      },
    });
  }

  /**
   * Whether the server went down while the job ran: the attempt failed with a lost
   * connection after it was sent, and a health check right after finds the server offline.
   * An unreachable server at send time ('offline') is not the job's doing and never counts.
   */
  async #crashDuring(attempt: RunningAttempt, outcome: AttemptOutcome): Promise<{ server: string; before: number } | null> {
    if (outcome.type !== 'error' || outcome.aborted || attempt.stop !== null || !attempt.sent || outcome.error.kind !== 'transient') return null;
    const report = await this.#registry.check(attempt.server.row.alias).catch(() => null);
    if (!report || report.online) return null;
    return { server: attempt.server.row.alias, before: attempt.job.crash_count ?? 0 };
  }

  /** After running out of GPU memory: an enabled server with more memory whose rules let it take the job. */
  #biggerServerFits(attempt: RunningAttempt): boolean {
    const { job, server } = attempt;
    const limit = Math.max(server.vram?.total ?? 0, job.oom_vram_bytes ?? 0);
    const demands = { ...demandsOf(job), oomVramBytes: limit };
    return this.#registry.all().some((s) => s !== server && s.row.enabled && s.row.app_type === job.app_type
      && (job.target_server_alias === AUTO_SERVER || s.row.alias === job.target_server_alias) && ruleBarrier(s, demands) === null);
  }

  /** Saves the images (file first, before any row says so). */
  async #save(attempt: RunningAttempt, result: RunResult, log: Logger): Promise<{ outcome: AttemptOutcome; saved: SavedResult | null }> {
    const { job, server } = attempt;
    log.info({ dir: `${server.row.app_type}→engine`, images: result.images.length }, 'job results received');
    try {
      const records = await this.#images.save(job.mobilesd_job_id, result.images, new Date(this.#clock.now()));
      return { outcome: { type: 'result', interrupted: result.interrupted }, saved: { records, details: result.details } };
    } catch (thrown) {
      // The image store removed what it had written; the job waits for space instead of failing.
      if (isDiskFullError(thrown) && !attempt.controller.signal.aborted) {
        return { outcome: { type: 'disk_full', message: await this.#onDiskFull(thrown) }, saved: null };
      }
      return { outcome: this.#outcomeOfThrow(attempt, thrown), saved: null };
    }
  }

  #outcomeOfThrow(attempt: RunningAttempt, thrown: unknown): AttemptOutcome {
    const { signal } = attempt.controller;
    if (thrown instanceof JobParked && !signal.aborted) return { type: 'parked', message: thrown.message, params: thrown.params };
    const reason: unknown = signal.aborted ? signal.reason : null;
    const error = reason instanceof BackendError ? reason
      : thrown instanceof BackendError ? thrown
      : new BackendError('transient', `saving results failed: ${(thrown as Error)?.message ?? String(thrown)}`, { cause: thrown });
    return { type: 'error', error, aborted: signal.aborted };
  }

  /** Cancels a running job: interrupt on the backend; the attempt then ends as cancelled. */
  async cancelRunning(jobId: string): Promise<boolean> {
    const attempt = this.#running.get(jobId);
    if (!attempt) return false;
    attempt.stop = 'cancel';
    // The stored row knows the backend's task id even when it was set after the claim.
    await attempt.server.backend.cancel(cancelTarget(this.#jobs.get(jobId) ?? attempt.job));
    // A backend that confirms the stop itself (ComfyUI: until its history says interrupted)
    // keeps its server slot until then. Otherwise, if the server does not end the request
    // soon, stop waiting for it.
    if (attempt.server.backend.confirmsCancel) return true;
    const timer = setTimeout(() => attempt.controller.abort(new BackendError('cancelled', CANCELLED_BY_USER)), CANCEL_GRACE_MS);
    timer.unref();
    void attempt.done.finally(() => clearTimeout(timer));
    return true;
  }

  /**
   * After a reorder or priority change: a job that only waits in a server's own queue
   * (prefetch) is taken back when a pending job for that server now comes first, and
   * goes back to pending without counting the attempt, so the new order holds.
   */
  async requeueOutranked(): Promise<void> {
    const waiting = [...this.#running.values()].filter((a) => a.server.backend.takeBack && a.stop === null);
    // Never rejects: a job that cannot be taken back simply runs on.
    await Promise.allSettled(waiting.map(async (attempt) => {
      const row = this.#jobs.get(attempt.job.mobilesd_job_id);
      if (!row || !this.#jobs.hasPendingAhead(row, attempt.server.row.alias)) return;
      if (!(await attempt.server.backend.takeBack!(cancelTarget(row)))) return;
      attempt.stop = 'take_back';
      attempt.controller.abort(new BackendError('cancelled', 'Taken back from the server queue to follow the new order'));
    }));
  }

  isRunning(jobId: string): boolean {
    return this.#running.has(jobId);
  }

  /**
   * Stops claiming; running attempts get `graceMs` to finish, then they are aborted
   * (interrupting the backend) and requeued without counting the attempt.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer);
    const all = [...this.#running.values()];
    if (all.length === 0) return;
    const finished = Promise.all(all.map((a) => a.done));
    const graceOver = new Promise<'grace'>((resolve) => setTimeout(() => resolve('grace'), graceMs).unref());
    if ((await Promise.race([finished.then(() => 'done' as const), graceOver])) === 'grace') {
      const cancels: Promise<void>[] = [];
      for (const attempt of this.#running.values()) {
        // A user's cancel still ends as cancelled; anything else is requeued.
        if (attempt.stop !== 'cancel') attempt.stop = 'shutdown';
        attempt.controller.abort(new BackendError('cancelled', 'StableQueue is shutting down'));
        cancels.push(attempt.server.backend.cancel(cancelTarget(this.#jobs.get(attempt.job.mobilesd_job_id) ?? attempt.job)));
      }
      // The backend's cancel first asks the server whether our task is the active one, then
      // interrupts it: wait for that (bounded), or the process exits before the interrupt is
      // sent and the server keeps generating a job that will run again after restart.
      const cancelWait = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_CANCEL_WAIT_MS).unref());
      await Promise.all([finished, Promise.race([Promise.allSettled(cancels), cancelWait])]);
    }
  }
}
