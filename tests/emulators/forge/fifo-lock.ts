/**
 * `call_queue.queue_lock` (a `fifo_lock.FIFOLock`): waiters get the lock strictly in the
 * order they asked for it. A second generation is never rejected; it just waits here.
 */
export class FifoLock {
  #held = false;
  #waiters: { grant: () => void; reject: (err: unknown) => void }[] = [];

  /** Resolves with a release function once every earlier caller has released. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.#handOver();
        });
      };
      const waiter = { grant, reject };
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.#held) {
        this.#waiters.push(waiter);
      } else {
        this.#held = true;
        grant();
      }
    });
  }

  /** Generations waiting behind the current holder. */
  get waiting(): number {
    return this.#waiters.length;
  }

  get held(): boolean {
    return this.#held;
  }

  #handOver(): void {
    const next = this.#waiters.shift();
    if (next) next.grant();
    else this.#held = false;
  }
}
