import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { StatFs } from './ops/disk-space.ts';
import type { RecentLogs } from './ops/recent-logs.ts';
import type { SecretStore } from './secrets/secret-store.ts';

/**
 * GALLERY_IMPORT_PATHS: folders the gallery indexes in place, separated like PATH (`:`,
 * `;` on Windows), relative ones from `cwd`. The headless server and the desktop app read
 * it through this one function, so the variable means the same in both.
 */
export function galleryImportPathsFromEnv(value: string | undefined, cwd: string): string[] {
  return (value ?? '').split(path.delimiter).map((p) => p.trim()).filter(Boolean).map((p) => path.resolve(cwd, p));
}

/** Everything the engine needs from its host (Electron shell or headless entry). */
export interface EngineConfig {
  /** SQLite file, secrets file, thumbnails live here. */
  dataDir: string;
  /** Where generated images are written (STABLE_DIFFUSION_SAVE_PATH). */
  outputsDir?: string;
  /** Folders indexed into the gallery in place at start (GALLERY_IMPORT_PATHS), besides those added in Settings. */
  galleryImportPaths?: string[];
  /** Local model library roots (CHECKPOINT_PATH, LORA_PATH, …). */
  checkpointPath?: string | null;
  loraPath?: string | null;
  vaePath?: string | null;
  embeddingsPath?: string | null;
  /** Wildcard files for dynamic prompts in batches (`__name__` reads name.txt), default <dataDir>/wildcards. */
  wildcardsDir?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Directory holding the built renderer (index.html); null serves no UI. */
  uiDir?: string | null;
  logger?: Logger;
  clock?: Clock;
  secretStore?: SecretStore;
  /** Per-attempt deadline for one generation, default 30 min. */
  attemptDeadlineMs?: number;
  maxAttempts?: number;
  /** First retry delay after a transient error; doubles per attempt (capped at 2 min). */
  retryBaseDelayMs?: number;
  /** SIGTERM grace period before running attempts are aborted and requeued. */
  shutdownGraceMs?: number;
  /** Extra Host header values to accept (besides localhost, 127.0.0.1, [::1] and the bind host). */
  allowedHosts?: string[];
  /** Headless-on-LAN password (STABLEQUEUE_PASSWORD). */
  uiPassword?: string | null;
  /** Per-launch token the desktop window presents (handed over by the preload). */
  launchToken?: string | null;
  /** Exact origins (e.g. chrome-extension://<id>) allowed to call the API cross-origin with an API key (STABLEQUEUE_CORS_ORIGINS). */
  corsOrigins?: string[];
  civitaiBaseUrl?: string;
  /** How often the gallery trash is checked for images past their retention (default 1 h); the clock decides their age. */
  galleryTrashCheckIntervalMs?: number;
  /** How often the daily-backup check runs (default 10 min); the clock decides when a day has passed. */
  backupCheckIntervalMs?: number;
  /** While the queue waits for disk space: how often free space is checked (default 15 s) and how much must be free to go on (default 256 MB). */
  diskCheckIntervalMs?: number;
  diskResumeFreeBytes?: number;
  /** Free-space reader (fs.statfs); tests inject a fake one. */
  statfs?: StatFs;
  /** The host's in-memory tail of the log, for the diagnostics bundle. */
  recentLogs?: RecentLogs | null;
  /** Own ports for the A1111- and ComfyUI-compatible APIs, for clients that take no path in their base URL (null: none). */
  a1111CompatPort?: number | null;
  comfyuiCompatPort?: number | null;
}

type Injected = 'logger' | 'clock' | 'secretStore' | 'statfs' | 'recentLogs';
export type ResolvedConfig = Required<Omit<EngineConfig, Injected>> & Pick<EngineConfig, Injected>;

export function resolveConfig(config: EngineConfig): ResolvedConfig {
  const dataDir = path.resolve(config.dataDir);
  return {
    ...config,
    dataDir,
    outputsDir: path.resolve(config.outputsDir ?? path.join(dataDir, 'outputs')),
    galleryImportPaths: config.galleryImportPaths ?? [],
    checkpointPath: config.checkpointPath ?? null,
    loraPath: config.loraPath ?? null,
    vaePath: config.vaePath ?? null,
    embeddingsPath: config.embeddingsPath ?? null,
    wildcardsDir: path.resolve(config.wildcardsDir ?? path.join(dataDir, 'wildcards')),
    host: config.host ?? '127.0.0.1',
    port: config.port ?? 3000,
    uiDir: config.uiDir === undefined ? null : config.uiDir,
    attemptDeadlineMs: config.attemptDeadlineMs ?? 30 * 60_000,
    maxAttempts: config.maxAttempts ?? 3,
    retryBaseDelayMs: config.retryBaseDelayMs ?? 2_000,
    shutdownGraceMs: config.shutdownGraceMs ?? 10_000,
    allowedHosts: config.allowedHosts ?? [],
    uiPassword: config.uiPassword ?? null,
    launchToken: config.launchToken ?? null,
    corsOrigins: config.corsOrigins ?? [],
    civitaiBaseUrl: config.civitaiBaseUrl ?? 'https://civitai.com',
    backupCheckIntervalMs: config.backupCheckIntervalMs ?? 10 * 60_000,
    galleryTrashCheckIntervalMs: config.galleryTrashCheckIntervalMs ?? 60 * 60_000,
    diskCheckIntervalMs: config.diskCheckIntervalMs ?? 15_000,
    a1111CompatPort: config.a1111CompatPort ?? null,
    comfyuiCompatPort: config.comfyuiCompatPort ?? null,
    diskResumeFreeBytes: config.diskResumeFreeBytes ?? 256 * 1024 * 1024,
  };
}
