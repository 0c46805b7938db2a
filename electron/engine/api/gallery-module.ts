import type { EngineModule } from '../engine-module.ts';
import { CollectionStore } from '../gallery/collection-store.ts';
import { SourceIndexer } from '../gallery/source-indexer.ts';
import { SourceStore } from '../gallery/source-store.ts';
import type { ApiContext } from './context.ts';
import { registerGalleryDownloadRoutes } from './routes/gallery-download.ts';
import { registerGalleryOrganiseRoutes } from './routes/gallery-organise.ts';
import { registerGallerySourceRoutes } from './routes/gallery-sources.ts';
import { registerGalleryTrashRoutes } from './routes/gallery-trash.ts';

/**
 * The gallery as an index of every image: sources indexed in place, collections, bulk
 * actions, zip, trash purge. It wires gallery services to their routes, so it lives on
 * the API side (the gallery's services never import the HTTP layer).
 */
export interface GalleryModule extends EngineModule {
  /** Set once the engine has started the module (tests and benchmarks wait on its scans). */
  indexer: SourceIndexer | null;
}

export function createGalleryModule(): GalleryModule {
  let indexer: SourceIndexer | null = null;
  let collections: CollectionStore | null = null;
  let sources: SourceStore | null = null;
  let purgeTimer: NodeJS.Timeout | null = null;
  let stopped = false;

  /** Job images saved before the gallery read their fields get them, a batch at a time between other work. */
  const backfill = (ctx: ApiContext, after = 0) => {
    if (stopped) return;
    try {
      const last = ctx.gallery.backfillJobImages(after);
      if (last !== null) setImmediate(() => backfill(ctx, last));
    } catch (error) {
      ctx.logger.warn({ err: error }, 'gallery: reading fields of earlier images failed');
    }
  };
  const purge = (ctx: ApiContext) => {
    ctx.galleryService.purgeExpired().then((n) => {
      if (n) ctx.logger.info({ purged: n }, 'gallery trash purged');
    }, (error: unknown) => ctx.logger.warn({ err: error }, 'gallery trash purge failed'));
  };

  return {
    name: 'gallery',
    get indexer() {
      return indexer;
    },
    init(ctx) {
      sources = new SourceStore(ctx.db);
      collections = new CollectionStore(ctx.db);
      indexer = new SourceIndexer({
        store: ctx.gallery, sources, bus: ctx.bus, clock: ctx.clock, logger: ctx.logger, outputsDir: ctx.config.outputsDir,
      });
      indexer.start(ctx.config.galleryImportPaths);
      setImmediate(() => backfill(ctx));
      purge(ctx);
      purgeTimer = setInterval(() => purge(ctx), ctx.config.galleryTrashCheckIntervalMs);
      purgeTimer.unref();
    },
    routes: [
      (app, ctx) => registerGalleryOrganiseRoutes(app, ctx, collections!),
      (app, ctx) => registerGallerySourceRoutes(app, ctx, indexer!, sources!),
      (app, ctx) => registerGalleryTrashRoutes(app, ctx),
      (app, ctx) => registerGalleryDownloadRoutes(app, ctx),
    ],
    async stop() {
      stopped = true;
      if (purgeTimer) clearInterval(purgeTimer);
      await indexer?.stop();
    },
  };
}
