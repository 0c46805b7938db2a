import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config.ts';
import type { Db } from '../db/connection.ts';
import type { EventBus } from '../event-bus.ts';
import type { GalleryService } from '../gallery/gallery-service.ts';
import type { GalleryStore } from '../gallery/gallery-store.ts';
import type { Dispatcher } from '../queue/dispatcher.ts';
import type { JobEvents } from '../queue/job-events.ts';
import type { OpsServices } from '../ops/ops-services.ts';
import type { JobService } from '../queue/job-service.ts';
import type { JobStore } from '../queue/job-store.ts';
import type { SettingsStore } from '../queue/settings-store.ts';
import type { ImageStore } from '../results/image-store.ts';
import type { ThumbnailCache } from '../results/thumbnails.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { BackendFactory } from '../servers/backend-factory.ts';
import type { ServerRegistry } from '../servers/server-registry.ts';
import type { ServerService } from '../servers/server-service.ts';
import type { ServerStore } from '../servers/server-store.ts';

/** What route modules may use: the engine's parts, passed in, never imported as singletons. */
export interface ApiContext {
  config: ResolvedConfig;
  db: Db;
  logger: Logger;
  clock: Clock;
  bus: EventBus;
  secrets: SecretStore;
  jobs: JobStore;
  /** Publishes job changes and wakes the dispatcher: tell it about every job row you change. */
  jobEvents: JobEvents;
  /** Backups, disk space, metrics, recovery report. */
  ops: OpsServices;
  service: JobService;
  dispatcher: Dispatcher;
  /** Image rows (all image SQL). */
  gallery: GalleryStore;
  /** Image changes that touch rows and files together. */
  galleryService: GalleryService;
  registry: ServerRegistry;
  /** This engine's adapters per app type; a module adds its own (ComfyUI). */
  backends: BackendFactory;
  serverStore: ServerStore;
  /** Server changes as the API makes them (aliases, passwords, registry sync). */
  servers: ServerService;
  settings: SettingsStore;
  images: ImageStore;
  thumbs: ThumbnailCache;
  version: string;
  startedAt: number;
}
