import type { EngineEvent } from '../../shared/events.ts';
import type { EngineEventListener } from './engine-types.ts';

/** Fan-out of engine events to SSE clients, the Electron shell and tests. */
export class EventBus {
  readonly #listeners = new Set<EngineEventListener>();

  on(listener: EngineEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener must not stop the queue or the other listeners.
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
