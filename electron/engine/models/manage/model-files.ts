import type { ModelMarks } from '../library/model-marks.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ApiError } from '../../api/errors.ts';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { ModelLibrary } from '../library/model-library.ts';
import type { ModelRow } from '../library/model-row.ts';
import { findPreviewName, sidecarBase } from '../sidecars/sidecar-paths.ts';
import type { ModelUser, ModelUsers } from './model-users.ts';
import { moveAll, occupied, planMove, type PlannedMove } from './move-with-sidecars.ts';
import type { TrashRow, TrashStore } from './trash-store.ts';

/** The trash lives inside each library folder (a rename, never a copy); scans skip dot folders. */
export const TRASH_FOLDER = '.trash';

function describeUsers(users: ModelUser[]): string {
  return users.map((u) => (u.kind === 'job' ? `job ${u.id} (${u.status})` : `download ${u.id} (${u.status})`)).join(', ');
}

/**
 * Delete (to a trash, with undo), restore and rename/move of library files, always with
 * their sidecars; refused while a running job or a download uses the file. A move keeps
 * the library row (id, hashes, Civitai link, usage), its favourite star and collections,
 * and rewrites queued jobs that name the file so they still find it.
 */
export class ModelFiles {
  readonly #db: Db;
  readonly #library: ModelLibrary;
  readonly #trash: TrashStore;
  readonly #users: ModelUsers;
  readonly #marks: ModelMarks;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #jobsChanged: (ids: string[]) => void;
  readonly #refreshServers: (kind: ModelRow['kind']) => Promise<void>;

  constructor(deps: {
    db: Db; library: ModelLibrary; trash: TrashStore; users: ModelUsers; marks: ModelMarks; clock: Clock; logger: Logger;
    jobsChanged: (ids: string[]) => void;
    /** Servers sharing the library folder re-read it (not awaited: a busy Forge answers after its generation). */
    refreshServers: (kind: ModelRow['kind']) => Promise<void>;
  }) {
    this.#db = deps.db;
    this.#library = deps.library;
    this.#trash = deps.trash;
    this.#users = deps.users;
    this.#marks = deps.marks;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#jobsChanged = deps.jobsChanged;
    this.#refreshServers = deps.refreshServers;
  }

  #changed(row: ModelRow): void {
    this.#library.changed('manage', [row.id]);
    void this.#refreshServers(row.kind).catch((error: Error) => this.#logger.warn({ err: error.message }, 'server refresh after a model change failed'));
  }

  #row(id: number): ModelRow {
    const row = this.#library.store.get(id);
    if (!row) throw new ApiError(404, 'model_not_found', `No model with id ${id}; the library may have been rescanned.`);
    return row;
  }

  #refuseIfBusy(row: ModelRow, action: string): void {
    const users = this.#users.busy(row);
    if (users.length) {
      throw new ApiError(409, 'model_in_use', `${row.rel_path} cannot be ${action} now: ${describeUsers(users)} uses it. Try again when it has finished, or cancel it.`, { users });
    }
  }

  async delete(id: number): Promise<TrashRow> {
    const row = this.#row(id);
    this.#refuseIfBusy(row, 'deleted');
    const moves = await planMove(row.abs_path, row.abs_path);
    const trashDir = path.join(row.root, TRASH_FOLDER, `${this.#clock.now()}-${row.id}`);
    await moveAll(moves, path.dirname(row.abs_path), trashDir);
    let entry: TrashRow;
    try {
      entry = this.#trash.add(row, trashDir, moves);
    } catch (error) {
      await moveAll(moves.map((m) => ({ from: m.to, to: m.from })), trashDir, path.dirname(row.abs_path)).catch(() => {});
      throw error;
    }
    this.#logger.info({ model: row.rel_path, trash: trashDir }, 'model moved to the trash');
    this.#changed(row);
    return entry;
  }

  async restore(trashId: number): Promise<ModelRow> {
    const entry = this.#trash.get(trashId);
    if (!entry) throw new ApiError(404, 'trash_not_found', `Nothing in the trash with id ${trashId}.`);
    const row = JSON.parse(entry.row_json) as ModelRow;
    const moves = (JSON.parse(entry.files_json) as PlannedMove[]).map((m) => ({ from: m.to, to: m.from }));
    const dir = path.dirname(row.abs_path);
    const taken = await occupied(moves, dir);
    if (taken.length) {
      throw new ApiError(409, 'target_exists', `${row.rel_path} cannot come back: ${taken.join(', ')} now exists in ${dir}. Move that file away first.`, { taken });
    }
    await moveAll(moves, entry.trash_dir, dir);
    let restored: ModelRow;
    try {
      restored = this.#db.transaction(() => {
        const r = this.#library.store.restoreRow(row);
        this.#trash.remove(entry.id);
        return r;
      }).immediate();
    } catch (error) {
      await moveAll(moves.map((m) => ({ from: m.to, to: m.from })), dir, entry.trash_dir).catch(() => {});
      throw error;
    }
    await fs.rmdir(entry.trash_dir).catch(() => {});
    this.#changed(restored);
    return restored;
  }

  /** Deletes a trashed model for good (its files and the trash entry). */
  async purge(trashId: number): Promise<void> {
    const entry = this.#trash.get(trashId);
    if (!entry) throw new ApiError(404, 'trash_not_found', `Nothing in the trash with id ${trashId}.`);
    await fs.rm(entry.trash_dir, { recursive: true, force: true });
    this.#trash.remove(entry.id);
  }

  trashList(): TrashRow[] {
    return this.#trash.list();
  }

  /** The absolute target of a library-relative path, refused when it leaves the folder or changes the file type. */
  #target(row: ModelRow, relPath: string): { rel: string; abs: string } {
    const rel = relPath.trim().replace(/\\/g, '/').replace(/^\/+/, '');
    const parts = rel.split('/');
    if (!rel || path.isAbsolute(relPath) || parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith('.'))) {
      throw new ApiError(400, 'bad_rel_path', `"${relPath}" is not a path inside the ${row.kind} folder (no "..", no hidden folders, no leading "/").`);
    }
    if (path.extname(rel).toLowerCase() !== row.ext.toLowerCase()) {
      throw new ApiError(400, 'bad_rel_path', `"${relPath}" must keep the file's extension ${row.ext}.`);
    }
    const abs = path.join(row.root, ...parts);
    if (row.kind === 'embedding' && path.basename(sidecarBase(abs)) !== row.name) {
      throw new ApiError(400, 'embedding_name_fixed', `An embedding's file name is the word that triggers it in prompts; move ${row.name}${row.ext} to another folder, but keep its name.`);
    }
    return { rel: parts.join('/'), abs };
  }

  async rename(id: number, relPath: string): Promise<{ row: ModelRow; jobs: string[] }> {
    const row = this.#row(id);
    const target = this.#target(row, relPath);
    if (target.abs === row.abs_path) return { row, jobs: [] };
    this.#refuseIfBusy(row, 'renamed or moved');
    const moves = await planMove(row.abs_path, target.abs);
    const fromDir = path.dirname(row.abs_path);
    const toDir = path.dirname(target.abs);
    // A case-only rename on a case-insensitive disk finds the file itself "in the way".
    const taken = (await occupied(moves, toDir)).filter((n) => !(fromDir === toDir && moves.some((m) => m.from.toLowerCase() === n.toLowerCase())));
    if (taken.length) {
      throw new ApiError(409, 'target_exists', `${target.rel} cannot be used: ${taken.join(', ')} already exists in ${toDir}.`, { taken });
    }
    await moveAll(moves, fromDir, toDir);
    const preview = row.preview_file ? findPreviewName(path.basename(target.abs), new Set(moves.map((m) => m.to))) : null;
    const place = { rel_path: target.rel, abs_path: target.abs, name: path.basename(sidecarBase(target.abs)), preview_file: preview };
    let jobs: string[];
    try {
      jobs = this.#db.transaction(() => {
        this.#library.store.relocate(row.id, place);
        this.#marks.relocate(row, place.rel_path);
        return this.#users.rewritePending(row, { rel_path: place.rel_path, ext: row.ext });
      }).immediate();
    } catch (error) {
      await moveAll(moves.map((m) => ({ from: m.to, to: m.from })), toDir, fromDir).catch(() => {});
      throw error;
    }
    if (jobs.length) this.#jobsChanged(jobs);
    this.#logger.info({ from: row.rel_path, to: place.rel_path, jobs: jobs.length }, 'model moved');
    this.#changed(row);
    return { row: this.#library.store.get(row.id)!, jobs };
  }
}
