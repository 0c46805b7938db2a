import type { ApiContext } from '../api/context.ts';
import type { CivitaiClient } from '../civitai/civitai-client.ts';
import type { ModelIdentifier } from './civitai-sync/identify-models.ts';
import type { ModelUpdater } from './civitai-sync/model-updater.ts';
import type { DownloadManager } from './downloads/download-manager.ts';
import type { ModelLibrary } from './library/model-library.ts';
import type { ModelMarks } from './library/model-marks.ts';
import type { ModelUsageIndex } from './library/model-usage.ts';
import type { ModelFiles } from './manage/model-files.ts';

/** Settings of the models module (defaults in module.ts). */
export interface ModelsSettings {
  downloadConcurrency: number;
  /** Highest Civitai nsfwLevel used for a written preview (2 = PG-13). */
  previewMaxNsfw: number;
  /** Scan the library when the engine starts. */
  scanOnStart: boolean;
  userAgent: string;
}

/** What the models module's routes use, created once per engine in init(). */
export interface ModelsServices {
  ctx: ApiContext;
  library: ModelLibrary;
  /** Delete (trash), restore, rename/move of library files. */
  files: ModelFiles;
  /** Jobs per model, last used, servers. */
  usage: ModelUsageIndex;
  /** Favourites and collections. */
  marks: ModelMarks;
  identifier: ModelIdentifier;
  /** The scheduled update check and one-click updates. */
  updates: ModelUpdater;
  downloads: DownloadManager;
  client: CivitaiClient;
  settings: ModelsSettings;
}
