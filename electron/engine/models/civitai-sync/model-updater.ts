import type { Logger } from 'pino';
import type { ModelLibrary } from '../library/model-library.ts';
import type { ModelFiles } from '../manage/model-files.ts';
import type { UpdateSchedule } from './update-schedule.ts';

/**
 * One-click updates: the new version downloads next to the old one; when it is in, the old
 * one is marked up to date and, if the user chose so, moved to the trash (restorable). What
 * to do with the old file is remembered per download while the engine runs; after a
 * restart an unfinished update keeps the old file.
 */
export class ModelUpdater {
  readonly schedule: UpdateSchedule;
  readonly #library: ModelLibrary;
  readonly #files: ModelFiles;
  readonly #logger: Logger;
  readonly #pending = new Map<string, { oldId: number; old: 'keep' | 'trash' }>();

  constructor(deps: { schedule: UpdateSchedule; library: ModelLibrary; files: ModelFiles; logger: Logger }) {
    this.schedule = deps.schedule;
    this.#library = deps.library;
    this.#files = deps.files;
    this.#logger = deps.logger;
  }

  followUp(downloadId: string, oldId: number, old: 'keep' | 'trash'): void {
    this.#pending.set(downloadId, { oldId, old });
  }

  /** Called for every finished download; acts only on updates. */
  async finished(downloadId: string, outcome: 'completed' | 'failed' | 'cancelled'): Promise<void> {
    const pending = this.#pending.get(downloadId);
    if (!pending) return;
    this.#pending.delete(downloadId);
    if (outcome !== 'completed') return;
    const row = this.#library.store.get(pending.oldId);
    if (!row) return;
    this.#library.store.setUpdate(row.id, row.latest_version_id, false);
    this.#library.changed('civitai', [row.id]);
    if (pending.old === 'trash') {
      await this.#files.delete(row.id).catch((error: Error) => this.#logger.warn({ model: row.rel_path, err: error.message }, 'the updated model\'s old version could not be moved to the trash'));
    }
  }
}
