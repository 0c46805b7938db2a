/**
 * Where the desktop app keeps things. The engine's data (SQLite, thumbnails, secrets)
 * goes under userData/data, a subfolder so it never mixes with Chromium's own files;
 * images go to the Pictures folder, since userData may be synced to the cloud and images
 * are big. Each can be moved with the same variables the headless server reads.
 */
import path from 'node:path';
import { galleryImportPathsFromEnv } from '../engine/config.ts';

export interface DesktopPathInputs {
  env: NodeJS.ProcessEnv;
  userData: string;
  pictures: string;
  /** app.getAppPath(): the project folder in development, the app.asar in a package. */
  appPath: string;
  isPackaged: boolean;
  /** process.resourcesPath (packaged: holds the unpacked icons). */
  resourcesPath: string;
}

export interface DesktopPaths {
  dataDir: string;
  outputsDir: string;
  checkpointPath: string | null;
  loraPath: string | null;
  /** Folders the gallery indexes in place (GALLERY_IMPORT_PATHS), as the headless server reads them. */
  galleryImportPaths: string[];
  logFile: string;
  /** The built UI (index.html) served by the engine. */
  uiDir: string;
  iconsDir: string;
  preloadPath: string;
}

const nonEmpty = (value: string | undefined): string | null => (value && value.trim() ? path.resolve(value) : null);

export function resolveDesktopPaths(inputs: DesktopPathInputs, mainDir: string): DesktopPaths {
  const { env } = inputs;
  return {
    dataDir: nonEmpty(env.STABLEQUEUE_DATA_DIR) ?? path.join(inputs.userData, 'data'),
    outputsDir: nonEmpty(env.STABLE_DIFFUSION_SAVE_PATH) ?? path.join(inputs.pictures, 'StableQueue'),
    checkpointPath: nonEmpty(env.CHECKPOINT_PATH),
    loraPath: nonEmpty(env.LORA_PATH),
    galleryImportPaths: galleryImportPathsFromEnv(env.GALLERY_IMPORT_PATHS, process.cwd()),
    logFile: path.join(inputs.userData, 'logs', 'stablequeue.log'),
    uiDir: path.join(inputs.appPath, 'dist', 'renderer'),
    // electron-builder copies resources/*.png to <resources>/icons (extraResources), so
    // the tray and the autostart file get real files, not paths inside the asar.
    iconsDir: inputs.isPackaged ? path.join(inputs.resourcesPath, 'icons') : path.join(inputs.appPath, 'resources'),
    // tsc turns electron/preload/index.cts into dist/electron/preload/index.cjs.
    preloadPath: path.join(mainDir, '..', 'preload', 'index.cjs'),
  };
}

/** The tray icon for this platform: a monochrome template image on macOS, colour elsewhere. */
export function trayIconPath(iconsDir: string, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return path.join(iconsDir, 'trayTemplate.png');
  if (platform === 'win32') return path.join(iconsDir, 'icon-32.png');
  return path.join(iconsDir, 'tray-22.png');
}

export function appIconPath(iconsDir: string): string {
  return path.join(iconsDir, 'icon-256.png');
}
