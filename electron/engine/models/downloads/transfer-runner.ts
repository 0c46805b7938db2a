import { Worker } from 'node:worker_threads';
import type { AttemptOutcome, AttemptRequest, WorkerMessage } from './transfer-protocol.ts';

// Loaded from source under Node's type stripping and from dist as .js.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './transfer-worker.ts' : './transfer-worker.js', import.meta.url);

export interface AttemptHandlers {
  onProgress(bytes: number, written: number): void;
  /** The worker truncated the `.part` (the server ignored Range). */
  onRestart(): void;
  onTotal(total: number): void;
}

/** One download's transfer thread: runs attempts one after another, then is closed. */
export class TransferRunner {
  readonly #worker: Worker;
  #current: { resolve: (o: AttemptOutcome) => void; reject: (e: Error) => void; handlers: AttemptHandlers } | null = null;

  constructor() {
    this.#worker = new Worker(WORKER_URL);
    this.#worker.unref();
    this.#worker.on('message', (message: WorkerMessage) => {
      const current = this.#current;
      if (!current) return;
      switch (message.type) {
        case 'progress': current.handlers.onProgress(message.bytes, message.written); break;
        case 'restart': current.handlers.onRestart(); break;
        case 'total': current.handlers.onTotal(message.total); break;
        case 'result':
          this.#current = null;
          current.resolve(message.outcome);
          break;
      }
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`transfer worker exited with code ${code}`)));
  }

  #fail(error: Error): void {
    const current = this.#current;
    this.#current = null;
    current?.reject(error);
  }

  run(request: AttemptRequest, signal: AbortSignal, handlers: AttemptHandlers): Promise<AttemptOutcome> {
    if (this.#current) throw new Error('an attempt is already running');
    const done = new Promise<AttemptOutcome>((resolve, reject) => {
      this.#current = { resolve, reject, handlers };
    });
    const onAbort = () => this.#worker.postMessage({ type: 'abort' });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    this.#worker.postMessage({ type: 'start', request });
    return done.finally(() => signal.removeEventListener('abort', onAbort));
  }

  async close(): Promise<void> {
    this.#current = null;
    await this.#worker.terminate();
  }
}
