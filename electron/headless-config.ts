import path from 'node:path';
import { galleryImportPathsFromEnv, type EngineConfig } from './engine/config.ts';


/**
 * The headless configuration from environment variables (MobileSD's names first):
 * PORT, HOST, STABLEQUEUE_DATA_DIR or CONFIG_DATA_PATH, STABLE_DIFFUSION_SAVE_PATH,
 * CHECKPOINT_PATH, LORA_PATH, VAE_PATH, EMBEDDINGS_PATH, STABLEQUEUE_PASSWORD,
 * STABLEQUEUE_ALLOWED_HOSTS, STABLEQUEUE_CORS_ORIGINS, ATTEMPT_DEADLINE_MINUTES, SHUTDOWN_GRACE_SECONDS,
 * A1111_COMPAT_PORT, COMFYUI_COMPAT_PORT, GALLERY_IMPORT_PATHS (folders for the gallery, separated like PATH).
 */
export function headlessConfigFromEnv(env: NodeJS.ProcessEnv, defaults: { uiDir: string; cwd: string }): EngineConfig {
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}"`);
  const host = env.HOST || '127.0.0.1';
  const abs = (value: string | undefined) => (value ? path.resolve(defaults.cwd, value) : null);
  const dataDir = abs(env.STABLEQUEUE_DATA_DIR || env.CONFIG_DATA_PATH) ?? path.resolve(defaults.cwd, 'data');
  const minutes = env.ATTEMPT_DEADLINE_MINUTES ? Number(env.ATTEMPT_DEADLINE_MINUTES) : 30;
  if (!(minutes > 0)) throw new Error('ATTEMPT_DEADLINE_MINUTES must be a positive number');
  const optionalPort = (name: 'A1111_COMPAT_PORT' | 'COMFYUI_COMPAT_PORT'): number | null => {
    if (!env[name]) return null;
    const value = Number(env[name]);
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number, not "${env[name]}"`);
    return value;
  };
  const grace = env.SHUTDOWN_GRACE_SECONDS ? Number(env.SHUTDOWN_GRACE_SECONDS) : 10;
  if (!(grace >= 0)) throw new Error('SHUTDOWN_GRACE_SECONDS must be zero or more');
  return {
    dataDir,
    outputsDir: abs(env.STABLE_DIFFUSION_SAVE_PATH) ?? path.join(dataDir, 'outputs'),
    checkpointPath: abs(env.CHECKPOINT_PATH),
    loraPath: abs(env.LORA_PATH),
    vaePath: abs(env.VAE_PATH),
    embeddingsPath: abs(env.EMBEDDINGS_PATH),
    galleryImportPaths: galleryImportPathsFromEnv(env.GALLERY_IMPORT_PATHS, defaults.cwd),
    wildcardsDir: abs(env.WILDCARDS_PATH) ?? undefined,
    host,
    port,
    uiDir: env.STABLEQUEUE_UI_DIR ? path.resolve(defaults.cwd, env.STABLEQUEUE_UI_DIR) : defaults.uiDir,
    uiPassword: env.STABLEQUEUE_PASSWORD || null,
    allowedHosts: (env.STABLEQUEUE_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
    corsOrigins: (env.STABLEQUEUE_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    attemptDeadlineMs: minutes * 60_000,
    shutdownGraceMs: grace * 1000,
    civitaiBaseUrl: env.CIVITAI_BASE_URL || undefined,
    a1111CompatPort: optionalPort('A1111_COMPAT_PORT'),
    comfyuiCompatPort: optionalPort('COMFYUI_COMPAT_PORT'),
  };
}

