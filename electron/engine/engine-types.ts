import type { Logger } from 'pino';
import type { EngineEvent } from '../../shared/events.ts';
import type { JobStatus } from '../../shared/jobs.ts';
import type { ResolvedConfig } from './config.ts';
import type { Db } from './db/connection.ts';
import type { Settings } from './queue/settings-store.ts';
import type { SecretStore } from './secrets/secret-store.ts';

export type EngineEventListener = (event: EngineEvent) => void;

/** What hosts (Electron shell, headless entry, tests) see of a running engine. */
export interface Engine {
  readonly config: ResolvedConfig;
  readonly db: Db;
  readonly logger: Logger;
  readonly secrets: SecretStore;
  /** Subscribe to engine events; returns the unsubscribe function. */
  onEvent(listener: EngineEventListener): () => void;
  /** Opens the DB, recovers interrupted jobs, starts the API and the dispatcher. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops claiming, gives running attempts the grace period, requeues the rest, closes the DB. */
  stop(): Promise<void>;
  /** The base URL once started (e.g. http://127.0.0.1:3000). */
  readonly url: string | null;
  queueCounts(): Record<JobStatus, number>;
  isPaused(): boolean;
  setPaused(paused: boolean): void;
  /** The user's settings, as Settings in the UI shows and saves them. */
  settings(): Settings;
  updateSettings(patch: Partial<Settings>): Settings;
  /** An image's WebP thumbnail (the desktop notification icon), or null when the image or its file is gone. */
  thumbnail(imageId: number): Promise<Buffer | null>;
}
