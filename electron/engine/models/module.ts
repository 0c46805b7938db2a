import type { ApiContext } from '../api/context.ts';
import { CivitaiClient } from '../civitai/civitai-client.ts';
import type { EngineModule } from '../engine-module.ts';
import { SECRET_NAMES } from '../secrets/secret-store.ts';
import type { RuntimeServer } from '../servers/server-registry.ts';
import { registerCivitaiRoutes } from './api/civitai-routes.ts';
import { registerDownloadRoutes } from './api/download-routes.ts';
import { registerImageProxyRoute } from './api/image-proxy-route.ts';
import { registerLegacyModelRoutes } from './api/legacy-routes.ts';
import { registerDownloadQueueRoutes } from './api/download-queue-routes.ts';
import { registerDuplicateRoutes } from './api/duplicate-routes.ts';
import { registerModelManageRoutes } from './api/manage-routes.ts';
import { registerModelRoutes } from './api/model-routes.ts';
import { registerUpdateRoutes } from './api/update-routes.ts';
import { registerUsageRoutes } from './api/usage-routes.ts';
import { registerCollectionRoutes } from './api/collection-routes.ts';
import { registerCompatibilityRoutes } from './api/compatibility-routes.ts';
import { ModelUsageIndex } from './library/model-usage.ts';
import { ModelMarks } from './library/model-marks.ts';
import { checkForUpdates } from './civitai-sync/check-updates.ts';
import { ModelUpdater } from './civitai-sync/model-updater.ts';
import { UpdateSchedule } from './civitai-sync/update-schedule.ts';
import { ModelIdentifier } from './civitai-sync/identify-models.ts';
import { DownloadManager } from './downloads/download-manager.ts';
import type { DownloadRow } from './downloads/download-row.ts';
import { DownloadStore } from './downloads/download-store.ts';
import { resolveLibraryRoots } from './library/library-roots.ts';
import { ModelLibrary } from './library/model-library.ts';
import { ModelFiles } from './manage/model-files.ts';
import { ModelUsers } from './manage/model-users.ts';
import { TrashStore } from './manage/trash-store.ts';
import type { ModelsServices, ModelsSettings } from './models-services.ts';
import { createOnDemandHook } from './on-demand/on-demand-hook.ts';
import { findInLibrary } from './on-demand/find-in-library.ts';
import { followParkedJobProgress } from './on-demand/parked-job-progress.ts';
import type { ModelKind } from '../../../shared/models.ts';

const DEFAULTS: Omit<ModelsSettings, 'userAgent'> = { downloadConcurrency: 2, previewMaxNsfw: 2, scanOnStart: true };
// A server's refresh waits for its running generation (Forge takes its queue lock): give it that long.
const SERVER_REFRESH_TIMEOUT_MS = 30 * 60_000;

/**
 * Local model library scan and the Civitai client and downloads: init starts the
 * library (a scan in the background), the persistent download queue (interrupted
 * transfers resume) and the on-demand model hook; stop() ends transfers so they resume at
 * the next start.
 */
export function createModelsModule(overrides: Partial<ModelsSettings> = {}): EngineModule {
  let services: ModelsServices | null = null;
  let reconcileTimer: NodeJS.Timeout | null = null;
  let stopFollowing: (() => void) | null = null;
  const need = (): ModelsServices => {
    if (!services) throw new Error('models module used before init');
    return services;
  };

  /** Asks every online server with a refresh endpoint to rescan the folder of `kind`. */
  async function refreshServer(ctx: ApiContext, server: RuntimeServer, kind: ModelKind | 'checkpoint' | 'lora'): Promise<void> {
    if (!server.row.enabled || server.health !== 'online' || !server.backend.refreshModels) return;
    if (kind !== 'checkpoint' && kind !== 'lora') return;
    const what = kind === 'checkpoint' ? 'checkpoints' : 'loras';
    await Promise.race([
      server.backend.refreshModels(what),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`refresh-${what} timed out`)), SERVER_REFRESH_TIMEOUT_MS).unref()),
    ]).catch((error: Error) => ctx.logger.warn({ alias: server.row.alias, err: error.message }, `refresh-${what} failed`));
    if (kind === 'checkpoint') await ctx.registry.refreshCheckpoints(server);
  }

  /** Parked jobs no unfinished download waits for go back to the queue (the hook re-checks them). */
  function reconcileParked(ctx: ApiContext): void {
    if (!services) return;
    const waiting = services.downloads.waitingJobIds();
    for (const id of ctx.jobs.parkedJobIds()) {
      if (!waiting.has(id) && ctx.jobs.unpark(id)) ctx.jobEvents.changed(id);
    }
  }

  function downloadFinished(ctx: ApiContext, row: DownloadRow, outcome: 'completed' | 'failed' | 'cancelled'): void {
    for (const id of JSON.parse(row.job_ids) as string[]) {
      if (outcome === 'completed') {
        if (ctx.jobs.unpark(id)) ctx.jobEvents.changed(id);
      } else {
        const message = outcome === 'cancelled'
          ? `The download of ${row.file_name} this job needed was cancelled.`
          : `The download of ${row.file_name} this job needed failed: ${row.error_message ?? 'unknown error'}`;
        if (ctx.jobs.failParked(id, message)) ctx.jobEvents.settled(id);
      }
    }
    // A job that joined this download just as it finished is picked up here.
    if (reconcileTimer) clearTimeout(reconcileTimer);
    reconcileTimer = setTimeout(() => reconcileParked(ctx), 1000);
    reconcileTimer.unref();
  }

  return {
    name: 'models',
    init(ctx: ApiContext) {
      const settings: ModelsSettings = { ...DEFAULTS, userAgent: `StableQueue/${ctx.version} (+https://github.com/stablequeue)`, ...overrides };
      const roots = resolveLibraryRoots(ctx.config);
      const library = new ModelLibrary({ db: ctx.db, clock: ctx.clock, logger: ctx.logger.child({ part: 'models' }), bus: ctx.bus, roots });
      const client = new CivitaiClient({
        baseUrl: ctx.config.civitaiBaseUrl,
        getToken: () => ctx.secrets.get(SECRET_NAMES.civitaiToken),
        userAgent: settings.userAgent,
      });
      const sidecars = () => ({ userAgent: settings.userAgent, previewMaxNsfw: settings.previewMaxNsfw, logger: ctx.logger });
      const identifier = new ModelIdentifier({ db: ctx.db, library, client, clock: ctx.clock, logger: ctx.logger, sidecars });
      const downloads = new DownloadManager({
        store: new DownloadStore(ctx.db, ctx.clock),
        library,
        client,
        bus: ctx.bus,
        logger: ctx.logger.child({ part: 'downloads' }),
        sidecars,
        options: {
          concurrency: settings.downloadConcurrency, userAgent: settings.userAgent,
          // The engine's free-space reader (a test's fake one included) decides here too.
          ...(ctx.config.statfs ? { freeBytes: (dir: string) => ctx.config.statfs!(dir).then((r) => r.free, () => null) } : {}),
        },
        hooks: {
          refreshServers: async (kind) => {
            await Promise.all(ctx.registry.all().map((server) => refreshServer(ctx, server, kind)));
          },
          finished: (row, outcome) => {
            downloadFinished(ctx, row, outcome);
            void services?.updates.finished(row.id, outcome);
          },
        },
      });
      const marks = new ModelMarks(ctx.db, ctx.clock);
      const files = new ModelFiles({
        db: ctx.db, library, marks, trash: new TrashStore(ctx.db, ctx.clock), users: new ModelUsers(ctx.db, ctx.clock), clock: ctx.clock,
        logger: ctx.logger.child({ part: 'models' }),
        jobsChanged: (ids) => { for (const id of ids) ctx.jobEvents.changed(id); },
        refreshServers: async (kind) => {
          await Promise.all(ctx.registry.all().map((server) => refreshServer(ctx, server, kind)));
        },
      });
      const schedule = new UpdateSchedule({
        db: ctx.db, clock: ctx.clock, logger: ctx.logger.child({ part: 'models' }),
        intervalHours: () => ctx.settings.get('model_update_check_hours'),
        run: () => checkForUpdates(library, client),
        found: (result, at) => ctx.bus.emit({ type: 'models.updates', count: result.updates, checked: result.checked, checked_at: new Date(at).toISOString() }),
      });
      const updates = new ModelUpdater({ schedule, library, files, logger: ctx.logger.child({ part: 'models' }) });
      services = { ctx, library, files, usage: new ModelUsageIndex(ctx.db, library.store, ctx.clock), marks, identifier, updates, downloads, client, settings };
      schedule.start();
      ctx.dispatcher.addBeforeRun(createOnDemandHook({
        registry: ctx.registry, client, downloads, logger: ctx.logger,
        refreshServer: (server, role) => refreshServer(ctx, server, role),
        findLocal: (ref) => findInLibrary(library.store, ref),
      }));
      stopFollowing = followParkedJobProgress({ bus: ctx.bus, dispatcher: ctx.dispatcher, downloads });
      downloads.start();
      reconcileParked(ctx);
      if (settings.scanOnStart && roots.length) {
        library.scan().catch((error: Error) => ctx.logger.error({ err: error }, 'model library scan failed'));
      }
    },
    routes: [
      (app) => registerModelRoutes(app, need()),
      (app) => registerModelManageRoutes(app, need()),
      (app) => registerDuplicateRoutes(app, need()),
      (app) => registerUpdateRoutes(app, need()),
      (app) => registerDownloadQueueRoutes(app, need()),
      (app) => registerUsageRoutes(app, need()),
      (app) => registerCollectionRoutes(app, need()),
      (app) => registerCompatibilityRoutes(app, need()),
      (app) => registerLegacyModelRoutes(app, need()),
      (app) => registerDownloadRoutes(app, need()),
      (app) => registerCivitaiRoutes(app, need()),
      (app) => registerImageProxyRoute(app, need()),
    ],
    async stop() {
      if (reconcileTimer) clearTimeout(reconcileTimer);
      stopFollowing?.();
      const s = services;
      services = null;
      if (!s) return;
      await s.updates.schedule.stop();
      await s.downloads.stop();
      await s.library.stop();
    },
  };
}
