import { Worker } from 'node:worker_threads';

type Reply = { id: number; type: 'progress'; bytes: number } | { id: number; type: 'done'; hex: string; bytes: number } | { id: number; type: 'error'; message: string };

interface Pending {
  worker: PoolWorker;
  resolve: (hex: string) => void;
  reject: (error: Error) => void;
  onProgress?: (bytes: number) => void;
}

interface PoolWorker {
  worker: Worker;
  busy: number;
}

/** A file being hashed while it is written (a download's `.part`). */
export interface HashFollower {
  /** Bytes known to be on disk so far. */
  grow(size: number): void;
  /** The writer finished at `size` bytes; resolves with the sha256. */
  end(size: number): Promise<string>;
  abort(): void;
  /** Bytes hashed so far. */
  readonly hashed: number;
}

// The worker is loaded from source under Node's type stripping and from dist as .js.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './hash-worker.ts' : './hash-worker.js', import.meta.url);

/**
 * Worker threads that hash files with big sync reads, off the API's event loop. Two
 * workers let a safetensors file's SHA256 and AutoV3 run side by side.
 */
export class HashPool {
  readonly #size: number;
  readonly #workers: PoolWorker[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  constructor(size = 2) {
    this.#size = Math.max(1, size);
  }

  #spawn(): PoolWorker {
    const entry: PoolWorker = { worker: new Worker(WORKER_URL), busy: 0 };
    entry.worker.unref();
    entry.worker.on('message', (reply: Reply) => this.#onReply(reply));
    entry.worker.on('error', (error) => this.#failWorker(entry, error));
    entry.worker.on('exit', (code) => {
      const index = this.#workers.indexOf(entry);
      if (index >= 0) this.#workers.splice(index, 1);
      if (!this.#closed) this.#failWorker(entry, new Error(`hash worker exited with code ${code}`));
    });
    this.#workers.push(entry);
    return entry;
  }

  #failWorker(entry: PoolWorker, error: Error): void {
    for (const [id, pending] of this.#pending) {
      if (pending.worker !== entry) continue;
      this.#pending.delete(id);
      pending.reject(error);
    }
  }

  #pick(): PoolWorker {
    if (this.#closed) throw new Error('hash pool is closed');
    const idle = this.#workers.find((w) => w.busy === 0);
    if (idle) return idle;
    if (this.#workers.length < this.#size) return this.#spawn();
    return this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  #onReply(reply: Reply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    if (reply.type === 'progress') {
      pending.onProgress?.(reply.bytes);
      return;
    }
    this.#pending.delete(reply.id);
    pending.worker.busy--;
    if (reply.type === 'done') pending.resolve(reply.hex);
    else pending.reject(new Error(reply.message));
  }

  #start(message: Record<string, unknown>, onProgress?: (bytes: number) => void): { id: number; worker: PoolWorker; done: Promise<string> } {
    const worker = this.#pick();
    const id = this.#nextId++;
    worker.busy++;
    const done = new Promise<string>((resolve, reject) => {
      this.#pending.set(id, { worker, resolve, reject, onProgress });
    });
    worker.worker.postMessage({ ...message, id });
    return { id, worker, done };
  }

  /** sha256 hex of a whole file ('sha256') or of a safetensors file's tensor data ('autov3'). */
  hash(path: string, mode: 'sha256' | 'autov3', onProgress?: (bytes: number) => void, signal?: AbortSignal): Promise<string> {
    const { id, worker, done } = this.#start({ type: 'hash', path, mode }, onProgress);
    if (signal) {
      const onAbort = () => worker.worker.postMessage({ type: 'abort', id });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void done.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => {});
    }
    return done;
  }

  follow(path: string): HashFollower {
    let hashed = 0;
    const { id, worker, done } = this.#start({ type: 'follow', path }, (bytes) => { hashed = bytes; });
    done.catch(() => {});
    return {
      grow: (size) => worker.worker.postMessage({ type: 'grow', id, size }),
      end: (size) => {
        worker.worker.postMessage({ type: 'end', id, size });
        return done;
      },
      abort: () => worker.worker.postMessage({ type: 'abort', id }),
      get hashed() { return hashed; },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    for (const [, pending] of this.#pending) pending.reject(new Error('hash pool closed'));
    this.#pending.clear();
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
