import type { Logger } from 'pino';
import type { HashPool } from './hash-pool.ts';
import type { ModelStore } from '../library/model-store.ts';
import { needsHash, type ModelRow } from '../library/model-row.ts';

export interface HashingProgress {
  model_id: number;
  name: string;
  bytes_done: number;
  total_bytes: number;
  queued: number;
}

const PROGRESS_EVENT_MS = 250;
const FLUSH_EVERY = 200;
const FLUSH_MS = 500;

/**
 * Hashes library files in the background, one file at a time (its SHA256 and AutoV3 side
 * by side on the pool's two workers), so hashing never competes with itself for the disk.
 * Results are written only if the file still has the size and mtime it had when queued.
 */
export class HashQueue {
  readonly #store: ModelStore;
  readonly #pool: HashPool;
  readonly #logger: Logger;
  readonly #onProgress: (progress: HashingProgress) => void;
  readonly #onHashed: (row: ModelRow) => void;
  readonly #onIdle: () => void;
  readonly #queue: number[] = [];
  readonly #queued = new Set<number>();
  #current: HashingProgress | null = null;
  #running: Promise<void> | null = null;
  #controller = new AbortController();
  #results: { row: ModelRow; sha256: string | null; autov3: string | null }[] = [];
  #lastFlush = Date.now();
  #stopped = false;

  constructor(deps: {
    store: ModelStore; pool: HashPool; logger: Logger;
    onProgress: (progress: HashingProgress) => void; onHashed: (row: ModelRow) => void; onIdle: () => void;
  }) {
    this.#store = deps.store;
    this.#pool = deps.pool;
    this.#logger = deps.logger;
    this.#onProgress = deps.onProgress;
    this.#onHashed = deps.onHashed;
    this.#onIdle = deps.onIdle;
  }

  /** Queues every row that still needs hashing. */
  enqueuePending(): void {
    for (const row of this.#store.needingHash()) this.enqueue(row.id);
  }

  enqueue(id: number): void {
    if (this.#stopped || this.#queued.has(id) || this.#current?.model_id === id) return;
    this.#queued.add(id);
    this.#queue.push(id);
    this.#running ??= this.#drain().finally(() => { this.#running = null; });
  }

  state(): { queued: number; current: Omit<HashingProgress, 'queued'> | null } {
    const c = this.#current;
    return { queued: this.#queue.length, current: c ? { model_id: c.model_id, name: c.name, bytes_done: c.bytes_done, total_bytes: c.total_bytes } : null };
  }

  /** Resolves when the queue is empty (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length && !this.#stopped) {
      const id = this.#queue.shift()!;
      this.#queued.delete(id);
      const row = this.#store.get(id);
      if (!row || !needsHash(row)) continue;
      await this.#hashOne(row);
    }
    this.#flush();
    this.#current = null;
    if (!this.#stopped) this.#onIdle();
  }

  /** Writes finished hashes in one transaction: thousands of small files, a handful of fsyncs. */
  #flush(): void {
    this.#lastFlush = Date.now();
    const results = this.#results.splice(0);
    if (!results.length) return;
    this.#store.setHashes(results);
    for (const { row } of results) {
      const updated = this.#store.get(row.id);
      if (updated) this.#onHashed(updated);
    }
  }

  async #hashOne(row: ModelRow): Promise<void> {
    const progress: HashingProgress = { model_id: row.id, name: row.name, bytes_done: 0, total_bytes: row.size, queued: this.#queue.length };
    this.#current = progress;
    let last = 0;
    const report = (bytes: number) => {
      progress.bytes_done = bytes;
      const now = Date.now();
      if (now - last >= PROGRESS_EVENT_MS) {
        last = now;
        progress.queued = this.#queue.length;
        this.#onProgress({ ...progress });
      }
    };
    this.#onProgress({ ...progress });
    const signal = this.#controller.signal;
    try {
      const [sha, v3] = await Promise.all([
        row.sha256 === null ? this.#pool.hash(row.abs_path, 'sha256', report, signal) : Promise.resolve(null),
        row.ext === '.safetensors' && row.autov3 === null
          ? this.#pool.hash(row.abs_path, 'autov3', undefined, signal).catch((error: Error) => {
            this.#logger.debug({ file: row.abs_path, err: error.message }, 'AutoV3 not computed');
            return '';
          })
          : Promise.resolve(null),
      ]);
      this.#results.push({ row, sha256: sha, autov3: v3 });
      if (this.#results.length >= FLUSH_EVERY || Date.now() - this.#lastFlush >= FLUSH_MS) this.#flush();
      progress.bytes_done = row.size;
      this.#onProgress({ ...progress, queued: this.#queue.length });
    } catch (error) {
      if (this.#stopped) return;
      const message = (error as Error).message;
      this.#logger.warn({ file: row.abs_path, err: message }, 'hashing failed');
      this.#store.setHashError(row.id, message);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#controller.abort(new Error('stopping'));
    this.#queue.length = 0;
    this.#queued.clear();
    await this.#running?.catch(() => {});
  }
}
