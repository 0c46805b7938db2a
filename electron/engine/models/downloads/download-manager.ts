import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { isDownloadFinished, type DownloadView, type ModelKind } from '../../../../shared/models.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../civitai/backoff.ts';
import type { CivitaiClient } from '../../civitai/civitai-client.ts';
import type { EventBus } from '../../event-bus.ts';
import { formatMegabytes, statFs } from '../../ops/disk-space.ts';
import { primaryRoot } from '../library/library-roots.ts';
import type { ModelLibrary } from '../library/model-library.ts';
import type { ModelRow } from '../library/model-row.ts';
import type { SidecarOptions } from '../sidecars/write-sidecars.ts';
import { DownloadError } from './download-error.ts';
import type { DownloadRow } from './download-row.ts';
import type { DownloadStore } from './download-store.ts';
import { estimatedSize, toDownloadView, type LiveTransfer } from './download-view.ts';
import { finishDownload } from './finish-download.ts';
import { planDownload, type DownloadRequest } from './plan-download.ts';
import { SpeedMeter } from './speed-meter.ts';
import { transferFile, type TransferResult } from './transfer.ts';

const PROGRESS_EVENT_MS = 500;
const PERSIST_BYTES_MS = 5_000;

/** Why a running transfer was stopped on purpose. */
type StopReason = 'pause' | 'cancel' | 'shutdown';

class StopSignal extends Error {
  readonly reason: StopReason;
  constructor(reason: StopReason) {
    super(`download ${reason}`);
    this.reason = reason;
  }
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
  live: LiveTransfer;
}

export interface DownloadHooks {
  /** After a completed download: ask the servers using that folder to rescan it. */
  refreshServers(kind: ModelKind): Promise<void>;
  /** A download ended; jobs that waited on it continue or fail. */
  finished(row: DownloadRow, outcome: 'completed' | 'failed' | 'cancelled', model: ModelRow | null): void;
}

export interface DownloadManagerOptions {
  concurrency: number;
  userAgent: string;
  backoff?: BackoffPolicy;
  maxRetries?: number;
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Free bytes where a file will be written (fs.statfs by default); null when unknown. */
  freeBytes?: (dir: string) => Promise<number | null>;
}

/** Room kept free beyond the file itself (sidecars, the database, other writers). */
const DISK_MARGIN_BYTES = 64 * 1024 * 1024;

/**
 * The persistent download queue: rows in SQLite survive a restart (a running transfer
 * resumes from its `.part`), at most `concurrency` transfers run at once, each publishes
 * bytes, speed and ETA (throttled), and can be paused, resumed or cancelled.
 */
export class DownloadManager {
  readonly #store: DownloadStore;
  readonly #library: ModelLibrary;
  readonly #client: CivitaiClient;
  readonly #bus: EventBus;
  readonly #logger: Logger;
  readonly #hooks: DownloadHooks;
  readonly #options: Required<DownloadManagerOptions>;
  readonly #sidecars: () => SidecarOptions;
  readonly #running = new Map<string, Running>();
  #stopped = false;
  #pumping = false;

  constructor(deps: {
    store: DownloadStore; library: ModelLibrary; client: CivitaiClient; bus: EventBus; logger: Logger;
    hooks: DownloadHooks; options: DownloadManagerOptions; sidecars: () => SidecarOptions;
  }) {
    this.#store = deps.store;
    this.#library = deps.library;
    this.#client = deps.client;
    this.#bus = deps.bus;
    this.#logger = deps.logger;
    this.#hooks = deps.hooks;
    this.#sidecars = deps.sidecars;
    this.#options = {
      backoff: DEFAULT_BACKOFF, maxRetries: 6, headersTimeoutMs: 60_000, idleTimeoutMs: 60_000,
      freeBytes: (dir) => statFs(dir).then((r) => r.free, () => null), ...deps.options,
    };
  }

  /**
   * Downloads check free space before they start: a file that cannot fit is refused at
   * once instead of filling the disk that the queue's images and database live on too.
   * Returns null when it fits (or the size or free space is unknown), else the reason.
   */
  async #noRoomFor(row: Pick<DownloadRow, 'version_json' | 'file_id' | 'expected_size' | 'bytes_done' | 'part_path'>): Promise<string | null> {
    const size = row.expected_size ?? estimatedSize(row);
    const free = await this.#options.freeBytes(path.dirname(row.part_path));
    if (size === null || free === null) return null;
    const needed = size - row.bytes_done + DISK_MARGIN_BYTES;
    if (free >= needed) return null;
    return `Not enough free space in ${path.dirname(row.part_path)}: the file needs ${formatMegabytes(needed)} (with a margin), ${formatMegabytes(free)} are free. Free some space, then resume the download.`;
  }

  /** Requeues transfers a previous run left active (kill -9, crash) and starts the queue. */
  start(): void {
    const n = this.#store.requeueInterrupted();
    if (n) this.#logger.info({ downloads: n }, 'resuming interrupted downloads');
    this.#pump();
  }

  view(row: DownloadRow): DownloadView {
    return toDownloadView(row, this.#running.get(row.id)?.live);
  }

  list(): DownloadView[] {
    return this.#store.list().map((r) => this.view(r));
  }

  get(id: string): DownloadView | null {
    const row = this.#store.get(id);
    return row ? this.view(row) : null;
  }

  #publish(id: string): void {
    const row = this.#store.get(id);
    if (row) this.#bus.emit({ type: 'download.updated', download: this.view(row) });
  }

  /**
   * Queues a Civitai file (or joins the unfinished download of the same file). A file
   * that is already in the library is not downloaded again.
   */
  async enqueue(request: DownloadRequest, signal?: AbortSignal): Promise<{ download: DownloadView; existing: ModelRow | null }> {
    const { planned } = await planDownload(request, { client: this.#client, roots: this.#library.roots, signal });
    const open = this.#store.findOpen(planned.version_id, planned.file_id, planned.target_path);
    if (open) {
      if (open.version_id !== planned.version_id || open.file_id !== planned.file_id) {
        throw new DownloadError('target_busy', `Another download is already writing ${open.target_path}.`);
      }
      if (request.jobId) this.#store.addJob(open.id, request.jobId);
      // Asking again retries a failed download; a job that needs a paused one resumes it.
      if (open.status === 'failed' || (open.status === 'paused' && request.jobId)) this.resume(open.id);
      this.#publish(open.id);
      return { download: this.view(this.#store.get(open.id)!), existing: null };
    }
    const installed = planned.expected_sha256 ? this.#library.store.bySha256(planned.expected_sha256) : undefined;
    if (installed && await fsp.stat(installed.abs_path).then(() => true, () => false)) {
      return { download: this.view(this.#recordInstalled(planned, installed)), existing: installed };
    }
    if (await fsp.stat(planned.target_path).then(() => true, () => false)) {
      throw new DownloadError('target_exists', `${planned.target_path} already exists and is not the same file (or has not been hashed yet); move or rename it first.`);
    }
    const noRoom = await this.#noRoomFor({ ...planned, bytes_done: 0 });
    if (noRoom) throw new DownloadError('disk_full', noRoom);
    const row = this.#store.insert(planned);
    this.#publish(row.id);
    this.#pump();
    return { download: this.view(row), existing: null };
  }

  /** A completed row for a file already in the library, so the UI shows "installed". */
  #recordInstalled(planned: Parameters<DownloadStore['insert']>[0], installed: ModelRow): DownloadRow {
    const row = this.#store.insert({ ...planned, target_path: installed.abs_path, part_path: `${installed.abs_path}.part` });
    this.#store.setLibraryModel(row.id, installed.id);
    this.#store.setBytes(row.id, installed.size);
    this.#store.setExpectedSize(row.id, installed.size);
    this.#store.setStatus(row.id, 'completed', { error_code: 'already_installed', error_message: `Already in the library as ${installed.rel_path}.` });
    this.#publish(row.id);
    return this.#store.get(row.id)!;
  }

  #pump(): void {
    if (this.#stopped || this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#running.size < this.#options.concurrency) {
        const next = this.#store.nextQueued();
        if (!next) break;
        if (!this.#store.transition(next.id, ['queued'], 'active')) continue;
        this.#run(this.#store.get(next.id)!);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #run(row: DownloadRow): void {
    const controller = new AbortController();
    const live: LiveTransfer = { bytes: row.bytes_done, total: row.expected_size, speed: null, eta: null };
    const running: Running = { controller, live, done: Promise.resolve() };
    this.#running.set(row.id, running);
    this.#store.bumpAttempts(row.id);
    this.#publish(row.id);
    running.done = this.#execute(row, running).catch((error: unknown) => {
      this.#logger.error({ err: error, download: row.id }, 'download bookkeeping failed');
    }).finally(() => {
      this.#running.delete(row.id);
      this.#pump();
    });
  }

  async #execute(row: DownloadRow, running: Running): Promise<void> {
    const noRoom = await this.#noRoomFor(row);
    if (noRoom) {
      this.#logger.warn({ download: row.id, reason: noRoom }, 'download not started: disk full');
      this.#store.setStatus(row.id, 'failed', { error_code: 'disk_full', error_message: noRoom });
      this.#publish(row.id);
      this.#hooks.finished(this.#store.get(row.id)!, 'failed', null);
      return;
    }
    const meter = new SpeedMeter(row.bytes_done);
    let lastEvent = 0;
    let lastPersist = Date.now();
    const onProgress = (bytes: number, total: number | null) => {
      running.live.bytes = bytes;
      running.live.total = total;
      running.live.speed = meter.update(bytes);
      running.live.eta = meter.eta(bytes, total);
      const now = Date.now();
      if (now - lastEvent >= PROGRESS_EVENT_MS) {
        lastEvent = now;
        this.#bus.emit({
          type: 'download.progress', id: row.id, bytes_done: bytes, total_bytes: total,
          speed_bps: running.live.speed === null ? null : Math.round(running.live.speed), eta_seconds: running.live.eta === null ? null : Math.round(running.live.eta),
        });
      }
      if (now - lastPersist >= PERSIST_BYTES_MS) {
        lastPersist = now;
        this.#store.setBytes(row.id, bytes);
      }
    };
    let result: TransferResult;
    try {
      result = await transferFile(row, {
        client: this.#client, store: this.#store, pool: this.#library.pool, logger: this.#logger, userAgent: this.#options.userAgent,
        backoff: this.#options.backoff, maxRetries: this.#options.maxRetries, headersTimeoutMs: this.#options.headersTimeoutMs,
        idleTimeoutMs: this.#options.idleTimeoutMs, onProgress,
      }, running.controller.signal);
    } catch (error) {
      await this.#afterTransferError(row, running, error);
      return;
    }
    running.live.bytes = result.size;
    this.#store.setBytes(row.id, result.size);
    this.#store.transition(row.id, ['active'], 'verifying');
    this.#publish(row.id);
    const root = primaryRoot(this.#library.roots, row.kind);
    let model: ModelRow;
    try {
      if (!root) throw new DownloadError('no_library_folder', `The ${row.kind} folder is no longer configured.`);
      model = await finishDownload(this.#store.get(row.id)!, result, { library: this.#library, root: root.path, sidecars: this.#sidecars(), logger: this.#logger });
    } catch (error) {
      const e = DownloadError.from(error);
      this.#logger.warn({ download: row.id, code: e.code, err: e.message }, 'download verification failed');
      this.#store.setStatus(row.id, 'failed', { error_code: e.code, error_message: e.message });
      this.#publish(row.id);
      this.#hooks.finished(this.#store.get(row.id)!, 'failed', null);
      return;
    }
    this.#store.setLibraryModel(row.id, model.id);
    this.#store.setStatus(row.id, 'completed');
    this.#logger.info({ download: row.id, file: row.target_path, bytes: result.size, resumedFrom: result.rangeStarts.filter((s) => s > 0) }, 'download completed');
    try {
      await this.#hooks.refreshServers(row.kind);
    } catch (error) {
      this.#logger.warn({ err: (error as Error).message }, 'refreshing servers after a download failed');
    }
    this.#publish(row.id);
    this.#hooks.finished(this.#store.get(row.id)!, 'completed', model);
  }

  async #afterTransferError(row: DownloadRow, running: Running, error: unknown): Promise<void> {
    const size = await fsp.stat(row.part_path).then((s) => s.size, () => 0);
    this.#store.setBytes(row.id, size);
    running.live.bytes = size;
    const reason = running.controller.signal.aborted ? running.controller.signal.reason : null;
    if (reason instanceof StopSignal) {
      if (reason.reason === 'cancel') {
        await fsp.rm(row.part_path, { force: true });
        this.#store.setBytes(row.id, 0);
        this.#store.setStatus(row.id, 'cancelled', { error_message: 'Cancelled by user' });
        this.#publish(row.id);
        this.#hooks.finished(this.#store.get(row.id)!, 'cancelled', null);
      } else if (reason.reason === 'pause') {
        this.#store.setStatus(row.id, 'paused');
        this.#publish(row.id);
      } else {
        // Shutting down: left queued so the next start resumes it from the .part.
        this.#store.setStatus(row.id, 'queued');
      }
      return;
    }
    const e = DownloadError.from(error);
    if (e.code === 'error_body' || e.code === 'hash_mismatch' || e.code === 'invalid_file') await fsp.rm(row.part_path, { force: true });
    this.#logger.warn({ download: row.id, code: e.code, err: e.message }, 'download failed');
    this.#store.setStatus(row.id, 'failed', { error_code: e.code, error_message: e.message });
    this.#publish(row.id);
    this.#hooks.finished(this.#store.get(row.id)!, 'failed', null);
  }

  #require(id: string): DownloadRow {
    const row = this.#store.get(id);
    if (!row) throw new DownloadError('download_not_found', `No download with id ${id}.`);
    return row;
  }

  pause(id: string): DownloadView {
    const row = this.#require(id);
    const running = this.#running.get(id);
    if (running) running.controller.abort(new StopSignal('pause'));
    else if (!this.#store.transition(id, ['queued'], 'paused')) {
      throw new DownloadError('not_pausable', `The download is ${row.status}; only queued or running downloads can be paused.`);
    } else this.#publish(id);
    return this.view(this.#store.get(id)!);
  }

  /** Reorders the waiting downloads (priority: move one to the top); answers the new order. */
  move(id: string, target: { to: 'top' | 'bottom' } | { before: string } | { after: string }): string[] {
    const row = this.#require(id);
    if (row.status !== 'queued' && row.status !== 'paused') {
      throw new DownloadError('bad_request', `The download is ${row.status}; only queued or paused downloads can be moved.`);
    }
    if (!this.#store.reorder(id, target)) {
      throw new DownloadError('bad_request', 'The download to move next to is not waiting in the queue.');
    }
    for (const waiting of this.#store.waitingOrder()) this.#publish(waiting);
    return this.#store.waitingOrder();
  }

  resume(id: string): DownloadView {
    const row = this.#require(id);
    if (!this.#store.transition(id, ['paused', 'failed'], 'queued')) {
      if (row.status === 'queued' || row.status === 'active') return this.view(row);
      throw new DownloadError('not_resumable', `The download is ${row.status}; only paused or failed downloads can be resumed.`);
    }
    this.#publish(id);
    this.#pump();
    return this.view(this.#store.get(id)!);
  }

  async cancel(id: string): Promise<DownloadView> {
    const row = this.#require(id);
    const running = this.#running.get(id);
    if (running) {
      running.controller.abort(new StopSignal('cancel'));
      await running.done;
    } else if (this.#store.transition(id, ['queued', 'paused', 'failed'], 'cancelled')) {
      await fsp.rm(row.part_path, { force: true });
      this.#store.setBytes(id, 0);
      this.#publish(id);
      this.#hooks.finished(this.#store.get(id)!, 'cancelled', null);
    } else {
      throw new DownloadError('not_cancellable', `The download is already ${row.status}.`);
    }
    return this.view(this.#store.get(id)!);
  }

  /** Removes a finished download from the list (its file stays in the library). */
  remove(id: string): void {
    const row = this.#require(id);
    if (!isDownloadFinished(row.status)) {
      throw new DownloadError('not_finished', 'Cancel the download before removing it from the list.');
    }
    if (row.status === 'failed') void fsp.rm(row.part_path, { force: true });
    this.#store.delete(id);
    this.#bus.emit({ type: 'download.deleted', id });
  }

  clearFinished(): number {
    const ids = this.#store.clearFinished();
    for (const id of ids) this.#bus.emit({ type: 'download.deleted', id });
    return ids.length;
  }

  /** Jobs parked on an unfinished download. */
  waitingJobIds(): Set<string> {
    return this.#store.waitingJobIds();
  }

  /** Stops transfers without losing them: they stay queued and resume at the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const all = [...this.#running.values()];
    for (const r of all) r.controller.abort(new StopSignal('shutdown'));
    await Promise.all(all.map((r) => r.done));
  }
}
