import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FINISHED_STATUSES, type JobStatus, type JobSummary } from '../../../shared/jobs.ts';
import type { EngineEvent } from '../../../shared/events.ts';
import type { Clock } from '../clock.ts';
import type { EventBus } from '../event-bus.ts';
import type { DeliveryResult, DeliveryTarget } from '../notify/outbox-worker.ts';
import type { DispatchStats } from '../queue/dispatch/dispatch-stats.ts';
import type { JobStore } from '../queue/job-store.ts';
import type { ServerRegistry } from '../servers/server-registry.ts';

const FINISHED = new Set<JobStatus>(FINISHED_STATUSES);

/**
 * Prometheus metrics of one engine, on a registry of its own (several engines may share a
 * process in tests). Gauges are read from the stores when scraped; counters and histograms
 * follow the job and download events on the bus, so no queue code knows about metrics.
 * Model loads are the dispatcher's own count (DispatchStats), read when scraped, so
 * /metrics and the Queue's loads and loads saved can never disagree.
 * Node's own metrics (event-loop lag, heap, CPU) come from prom-client's defaults.
 */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly #clock: Clock;
  readonly #unsubscribe: () => void;
  /** Attempts already counted as started, by job id → attempt number. */
  readonly #started = new Map<string, number>();
  /** When each server last finished a job while others waited (for the idle gap). */
  readonly #lastFinish = new Map<string, number>();
  readonly #downloadBytes = new Map<string, number>();
  readonly #jobsStarted: Counter<'server' | 'app_type'>;
  readonly #jobsFinished: Counter<'server' | 'app_type' | 'status'>;
  readonly #jobsFailed: Counter<'server' | 'app_type'>;
  readonly #duration: Histogram<'app_type'>;
  readonly #idleGap: Histogram<'server'>;
  readonly #downloads: Counter;
  readonly #deliveries: Counter<'target' | 'result'>;
  readonly #modelLoadTime: Histogram<'server'>;
  readonly #stopLoads: () => void;
  /** Jobs that changed their server's checkpoint and have not sampled yet: job id → started at. */
  readonly #loading = new Map<string, { server: string; since: number }>();

  constructor(deps: { jobs: JobStore; registry: ServerRegistry; stats: DispatchStats; bus: EventBus; clock: Clock }) {
    this.#clock = deps.clock;
    const register = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'stablequeue_' });
    const { jobs, registry, stats } = deps;

    new Gauge({
      name: 'stablequeue_jobs', help: 'Jobs by status (archived ones excluded)', labelNames: ['status'], registers: register,
      collect() {
        for (const [status, n] of Object.entries(jobs.counts())) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'stablequeue_queue_depth', help: 'Jobs waiting to run (pending)', registers: register,
      collect() {
        this.set(jobs.counts().pending);
      },
    });
    new Gauge({
      name: 'stablequeue_server_up', help: '1 when the server answers its health check', labelNames: ['server', 'app_type'], registers: register,
      collect() {
        this.reset();
        for (const s of registry.all()) this.set({ server: s.row.alias, app_type: s.row.app_type }, s.health === 'online' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'stablequeue_server_running_jobs', help: 'Attempts running on each server now', labelNames: ['server'], registers: register,
      collect() {
        this.reset();
        for (const s of registry.all()) this.set({ server: s.row.alias }, s.running);
      },
    });
    const vram = (field: 'free' | 'total') => new Gauge({
      name: `stablequeue_server_vram_${field}_bytes`, help: `GPU memory ${field} on each server, from its last health check`,
      labelNames: ['server'], registers: register,
      collect() {
        this.reset();
        for (const s of registry.all()) if (s.vram) this.set({ server: s.row.alias }, s.vram[field]);
      },
    });
    vram('free');
    vram('total');
    this.#jobsStarted = new Counter({ name: 'stablequeue_jobs_started_total', help: 'Attempts sent to a server', labelNames: ['server', 'app_type'], registers: register });
    this.#jobsFinished = new Counter({
      name: 'stablequeue_jobs_finished_total', help: 'Jobs that reached a final state', labelNames: ['server', 'app_type', 'status'], registers: register,
    });
    this.#jobsFailed = new Counter({ name: 'stablequeue_jobs_failed_total', help: 'Jobs that ended failed', labelNames: ['server', 'app_type'], registers: register });
    this.#duration = new Histogram({
      name: 'stablequeue_job_duration_seconds', help: 'From the start of the last attempt to completion', labelNames: ['app_type'], registers: register,
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    });
    this.#idleGap = new Histogram({
      name: 'stablequeue_idle_gap_seconds', help: 'Time a server sat idle between a finished job and the next one while jobs waited',
      labelNames: ['server'], registers: register, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    });
    this.#downloads = new Counter({ name: 'stablequeue_download_bytes_total', help: 'Model bytes downloaded', registers: register });
    this.#deliveries = new Counter({
      name: 'stablequeue_webhook_deliveries_total', help: 'Tries to deliver a notification (webhook, job callback URL, push target) by how they ended',
      labelNames: ['target', 'result'], registers: register,
    });
    new Counter({
      name: 'stablequeue_model_loads_total',
      help: "Jobs that made their server load another checkpoint than the one it had (its previous job's, else what its health check reported), as the dispatcher counts them",
      labelNames: ['server'], registers: register,
      collect() {
        this.reset();
        for (const s of registry.all()) this.inc({ server: s.row.alias }, stats.forServer(s.row.alias).model_loads);
      },
    });
    this.#modelLoadTime = new Histogram({
      name: 'stablequeue_model_load_seconds',
      help: 'Approximate checkpoint load time: from the start of a job that changed the checkpoint to its first sampling step seen, or to its completion when no step was seen (includes request setup)',
      labelNames: ['server'], registers: register, buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    });
    this.#stopLoads = stats.onLoad((server, jobId) => this.#loading.set(jobId, { server, since: this.#clock.now() }));
    this.#unsubscribe = deps.bus.on((event) => this.#onEvent(event, jobs));
  }

  #onEvent(event: EngineEvent, jobs: JobStore): void {
    switch (event.type) {
      case 'job.updated':
      case 'job.finished':
        this.#onJob(event.job, jobs);
        return;
      case 'job.progress': {
        const loading = this.#loading.get(event.job_id);
        if (loading && ((event.step ?? 0) > 0 || event.progress > 0)) {
          this.#loading.delete(event.job_id);
          this.#modelLoadTime.observe({ server: loading.server }, Math.max(0, this.#clock.now() - loading.since) / 1000);
        }
        return;
      }
      case 'download.progress': {
        const before = this.#downloadBytes.get(event.id) ?? event.bytes_done;
        if (event.bytes_done > before) this.#downloads.inc(event.bytes_done - before);
        this.#downloadBytes.set(event.id, event.bytes_done);
        return;
      }
      case 'download.updated':
        // A restarted download continues from its stored bytes; only new bytes count.
        if (!this.#downloadBytes.has(event.download.id)) this.#downloadBytes.set(event.download.id, event.download.bytes_done);
        return;
      default:
    }
  }

  #onJob(job: JobSummary, jobs: JobStore): void {
    const server = job.assigned_server_alias ?? 'none';
    const labels = { server, app_type: job.app_type };
    // An attempt that ended and went back to wait takes its load timing with it; a retry that
    // loads again starts a new one.
    if (job.status === 'pending') this.#loading.delete(job.mobilesd_job_id);
    if (job.status === 'processing' && this.#started.get(job.mobilesd_job_id) !== job.attempts) {
      this.#started.set(job.mobilesd_job_id, job.attempts);
      this.#jobsStarted.inc(labels);
      const last = this.#lastFinish.get(server);
      if (last !== undefined) this.#idleGap.observe({ server }, Math.max(0, this.#clock.now() - last) / 1000);
      this.#lastFinish.delete(server);
      return;
    }
    if (!FINISHED.has(job.status)) return;
    // A short job can finish between two progress polls (Forge is polled every 400 ms), so no
    // sampling step is ever seen: its load then ended by completion at the latest, and is timed
    // to there rather than dropped (the load still counted in model_loads_total).
    const loading = this.#loading.get(job.mobilesd_job_id);
    this.#loading.delete(job.mobilesd_job_id);
    if (loading && job.status === 'completed') {
      this.#modelLoadTime.observe({ server: loading.server }, Math.max(0, this.#clock.now() - loading.since) / 1000);
    }
    if (!this.#started.has(job.mobilesd_job_id)) return;
    this.#started.delete(job.mobilesd_job_id);
    this.#jobsFinished.inc({ ...labels, status: job.status });
    if (job.status === 'failed') this.#jobsFailed.inc(labels);
    if (job.status === 'completed' && job.started_timestamp && job.completion_timestamp) {
      this.#duration.observe({ app_type: job.app_type }, Math.max(0, Date.parse(job.completion_timestamp) - Date.parse(job.started_timestamp)) / 1000);
    }
    if (jobs.counts().pending > 0) this.#lastFinish.set(server, this.#clock.now());
  }

  /** One try of a notification delivery ended (the outbox worker calls this). */
  countDelivery(target: DeliveryTarget, result: DeliveryResult): void {
    this.#deliveries.inc({ target, result });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  stop(): void {
    this.#unsubscribe();
    this.#stopLoads();
    this.registry.clear();
  }
}
