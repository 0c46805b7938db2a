import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from './api/app.ts';
import type { ApiContext } from './api/context.ts';
import { systemClock } from './clock.ts';
import { resolveConfig, type EngineConfig } from './config.ts';
import type { Db } from './db/connection.ts';
import { lockDataDir } from './db/data-dir-lock.ts';
import type { Engine, EngineEventListener } from './engine-types.ts';
import { EventBus } from './event-bus.ts';
import { GalleryService } from './gallery/gallery-service.ts';
import { GalleryStore } from './gallery/gallery-store.ts';
import { SourceStore } from './gallery/source-store.ts';
import { createLogger } from './logger.ts';
import { BackupService } from './ops/backup-service.ts';
import { DiskGuard } from './ops/disk-guard.ts';
import { statFs } from './ops/disk-space.ts';
import { EngineMetrics } from './ops/engine-metrics.ts';
import { rebuildGalleryFromDisk } from './ops/gallery-rebuild.ts';
import { findMobileSdDatabase, importMobileSdJobs } from './ops/mobilesd-import.ts';
import { openDatabaseWithRecovery, report } from './ops/open-with-recovery.ts';
import type { OpsServices } from './ops/ops-services.ts';
import { DispatchStats } from './queue/dispatch/dispatch-stats.ts';
import { JobShapes } from './queue/dispatch/job-shape.ts';
import { QueueForecast } from './queue/dispatch/queue-forecast.ts';
import { Dispatcher } from './queue/dispatcher.ts';
import { JobEvents } from './queue/job-events.ts';
import { JobService } from './queue/job-service.ts';
import type { LiveProgress } from './queue/job-view.ts';
import { JobStore } from './queue/job-store.ts';
import { SettingsStore } from './queue/settings-store.ts';
import { ImageStore } from './results/image-store.ts';
import { imageThumbnail } from './results/image-thumbnail.ts';
import { ThumbnailCache } from './results/thumbnails.ts';
import { FileSecretStore } from './secrets/file-secret-store.ts';
import { PLAIN_SECRETS_FILE } from './secrets/secret-files.ts';
import { SECRET_NAMES } from './secrets/secret-store.ts';
import { BackendFactory } from './servers/backend-factory.ts';
import { ServerRegistry } from './servers/server-registry.ts';
import { demandsOf } from './queue/job-demands.ts';
import { waitVerdict } from './servers/server-eligibility.ts';
import { QueueStopTime } from './queue/queue-stop-time.ts';
import { ServerService } from './servers/server-service.ts';
import { ServerStore } from './servers/server-store.ts';
import { VERSION } from './version.ts';
import { createEngineModules } from './modules.ts';

import type { EngineModule } from './engine-module.ts';

export type { Engine } from './engine-types.ts';
export type { EngineConfig } from './config.ts';

export function createEngine(config: EngineConfig): Engine {
  const cfg = resolveConfig(config);
  const logger = config.logger ?? createLogger();
  const clock = config.clock ?? systemClock;
  const secrets = config.secretStore ?? new FileSecretStore(path.join(cfg.dataDir, PLAIN_SECRETS_FILE));
  const bus = new EventBus();
  let db: Db | null = null;
  let app: FastifyInstance | null = null;
  let ctx: ApiContext | null = null;
  let url: string | null = null;
  let stopping: Promise<void> | null = null;
  let engineModules: EngineModule[] = [];
  let unlockDataDir: (() => void) | null = null;

  const requireCtx = () => {
    if (!ctx) throw new Error('engine not started');
    return ctx;
  };

  /** Opens the DB, recovers interrupted jobs, starts the API and the dispatcher. */
  async function startEngine(): Promise<{ url: string; port: number }> {
    fs.mkdirSync(cfg.dataDir, { recursive: true });
    fs.mkdirSync(cfg.outputsDir, { recursive: true });
    unlockDataDir = lockDataDir(cfg.dataDir);
    let settings: SettingsStore | null = null;
    const backups = new BackupService({ dataDir: cfg.dataDir, clock, logger, keep: () => settings?.get('backup_keep') ?? 7 });
    // A damaged database is moved aside and replaced (newest good backup, else a fresh one) instead of refusing to start.
    const opened = openDatabaseWithRecovery({ file: path.join(cfg.dataDir, 'stablequeue.db'), backups, clock, logger });
    db = opened.db;
    backups.attach(db);
    let recovery = opened.recovery;
    const gallery = new GalleryStore(db);
    const jobs = new JobStore(db, clock, gallery);
    settings = new SettingsStore(db);
    const serverStore = new ServerStore(db, clock);
    const images = new ImageStore(cfg.outputsDir);
    const thumbs = new ThumbnailCache(path.join(cfg.dataDir, 'thumbnails'));
    const backends = new BackendFactory();
    const registry = new ServerRegistry({ store: serverStore, backends, secrets, bus, clock, logger });

    // MobileSD compatibility: servers.json from an older MobileSD config dir is imported once.
    const legacy = serverStore.importLegacyServersJson(cfg.dataDir);
    for (const [alias, password] of legacy.passwords) await secrets.set(SECRET_NAMES.serverPassword(alias), password);
    if (legacy.imported.length) logger.info({ servers: legacy.imported.map((s) => s.alias) }, 'imported servers.json');

    // MobileSD compatibility: a MobileSD jobs database in the data folder is imported once, with its history.
    const mobileSd = findMobileSdDatabase(cfg.dataDir);
    const imported = mobileSd ? importMobileSdJobs(db, mobileSd, cfg.outputsDir, () => backups.create('pre-import')) : null;
    if (imported) logger.info(imported, 'imported MobileSD jobs');

    // After a restore or a fresh start, images written since are put back before the sweep could take them for crash leftovers.
    if (recovery) {
      recovery = report({ ...recovery, images_reimported: await rebuildGalleryFromDisk(db, cfg.outputsDir, clock) });
      logger.warn({ recovery }, recovery.message);
    }

    // Jobs left processing by a previous run (crash, kill -9) are requeued or failed.
    for (const job of jobs.processingJobs()) {
      const outcome = jobs.recoverInterrupted(job);
      logger.warn({ job: job.mobilesd_job_id, outcome, attempts: job.attempts }, 'recovered interrupted job');
    }
    const swept = await images.sweep((jobId) => gallery.jobHasImages(jobId));
    if (swept.temps || swept.orphans) logger.info(swept, 'swept unfinished image files');
    if (!settings.get('resume_queue_at_start') && jobs.counts().pending > 0) settings.set('queue_paused', true);

    const settingsStore = settings;
    const isPaused = () => settingsStore.get('queue_paused');
    let dispatcherRef: Dispatcher | null = null;
    const disk = new DiskGuard({
      places: [{ label: 'outputs', path: cfg.outputsDir }, { label: 'data', path: cfg.dataDir, holdsDatabase: true }],
      statfs: cfg.statfs ?? statFs, logger, resumeFreeBytes: cfg.diskResumeFreeBytes, checkEveryMs: cfg.diskCheckIntervalMs,
      lowWarningBytes: () => settingsStore.get('low_disk_warning_mb') * 1024 * 1024,
      onResume: () => dispatcherRef?.kick(),
    });
    const live = new Map<string, LiveProgress>();
    const jobEvents = new JobEvents({ jobs, bus, live, isPaused });
    const dispatchStats = new DispatchStats(db, clock);
    const jobShapes = new JobShapes();
    const dispatcher = new Dispatcher({
      jobs, registry, images, clock, logger, events: jobEvents, live, stats: dispatchStats, shapes: jobShapes,
      settings: () => ({
        grouping: settingsStore.get('dispatch_grouping'),
        maxOvertake: settingsStore.get('dispatch_max_overtake'),
        maxDelayMs: settingsStore.get('dispatch_max_delay_minutes') * 60_000,
        fairShare: settingsStore.get('dispatch_fair_share'),
      }),
      // A full disk holds the queue without touching the user's own pause.
      isPaused: () => isPaused() || disk.blocked() !== null,
      onDiskFull: (error) => disk.reportFull(error),
      deadlineMs: cfg.attemptDeadlineMs, retryBaseMs: cfg.retryBaseDelayMs,
      beforePass: () => stopTime.check(),
    });
    const stopTime = new QueueStopTime({
      stopAt: () => settingsStore.get('queue_stop_at'), clock,
      pause: (reason) => {
        logger.info({ reason }, 'queue paused by its stop time');
        service.setPaused(true);
      },
    });
    jobEvents.setWaitReason((row) => waitVerdict(demandsOf(row), registry.all(), clock.now())?.reason ?? null);
    const forecast = new QueueForecast({ pending: (limit) => jobs.pendingInOrder(limit), dispatcher, shapes: jobShapes, clock });
    jobEvents.onWake(() => forecast.invalidate());
    const service = new JobService({ jobs, dispatcher, registry, events: jobEvents, settings, clock, maxAttempts: cfg.maxAttempts, forecast });
    dispatcherRef = dispatcher;
    registry.setOnOnline(() => dispatcher.kick());
    const ops: OpsServices = {
      backups, disk, metrics: new EngineMetrics({ jobs, registry, stats: dispatchStats, bus, clock }), recentLogs: cfg.recentLogs ?? null, recovery,
    };
    ctx = {
      config: cfg, db, logger, clock, bus, secrets, jobs, jobEvents, ops, service, dispatcher, registry, serverStore, settings,
      servers: new ServerService({ store: serverStore, registry, secrets, backends, wake: () => dispatcher.kick() }),
      backends, images, thumbs, gallery, galleryService: new GalleryService({
        store: gallery, files: images, thumbs, bus, sources: new SourceStore(db), clock,
        trashDays: () => settingsStore.get('gallery_trash_days'),
      }),
      version: VERSION, startedAt: Date.now(),
    };
    engineModules = createEngineModules();
    for (const module of engineModules) await module.init?.(ctx);
    await registry.loadAll();
    app = await buildApiApp(ctx, {
      before: engineModules.flatMap((m) => m.before ?? []),
      routes: engineModules.flatMap((m) => m.routes ?? []),
    });
    await app.listen({ host: cfg.host, port: cfg.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : cfg.port;
    const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host;
    url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    logger.info({ url, dataDir: cfg.dataDir, outputsDir: cfg.outputsDir }, 'StableQueue engine started');
    backups.startSchedule(cfg.backupCheckIntervalMs);
    dispatcher.kick();
    return { url, port };
  }

  const engine: Engine = {
    config: cfg,
    get db() {
      if (!db) throw new Error('engine not started');
      return db;
    },
    logger,
    secrets,
    get url() { return url; },
    onEvent: (listener: EngineEventListener) => bus.on(listener),
    queueCounts: () => requireCtx().service.counts(),
    isPaused: () => requireCtx().service.isPaused(),
    setPaused: (paused: boolean) => requireCtx().service.setPaused(paused),
    settings: () => requireCtx().settings.all(),
    updateSettings: (patch) => requireCtx().settings.update(patch),
    thumbnail: (imageId) => imageThumbnail(requireCtx(), imageId),

    async start() {
      try {
        return await startEngine();
      } catch (error) {
        // A failed start must not keep the data dir locked or the database open.
        db?.close();
        db = null;
        unlockDataDir?.();
        unlockDataDir = null;
        throw error;
      }
    },

    stop() {
      stopping ??= (async () => {
        if (!ctx) return;
        await ctx.dispatcher.stop(cfg.shutdownGraceMs);
        await ctx.ops.backups.stop();
        ctx.ops.disk.stop();
        ctx.ops.metrics.stop();
        ctx.registry.stop();
        ctx.service.dispose();
        for (const module of engineModules) await module.stop?.();
        await app?.close();
        db?.close();
        unlockDataDir?.();
        logger.info('StableQueue engine stopped');
      })();
      return stopping;
    },
  };
  return engine;
}
