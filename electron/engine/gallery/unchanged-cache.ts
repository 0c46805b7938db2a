import type { Db } from '../db/connection.ts';

/**
 * Answers worked out from the database, kept while the database is unchanged: counts and
 * facets over a large gallery cost tens of milliseconds each, and the gallery asks for the
 * same ones again and again (every page of one search, the facets beside it). Any write
 * on this connection (`total_changes()`) or another one (`data_version`) empties it, so an
 * answer is never older than the data.
 */
export class UnchangedCache<T> {
  readonly #version;
  readonly #entries = new Map<string, T>();
  readonly #max: number;
  #seen = '';

  constructor(db: Db, max = 200) {
    this.#version = db.prepare<[], { c: number; v: number }>('SELECT total_changes() AS c, (SELECT data_version FROM pragma_data_version) AS v');
    this.#max = max;
  }

  get(key: string, compute: () => T): T {
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    const value = compute();
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, value);
    return value;
  }

  /** The kept answer for `key`, without working one out. */
  peek(key: string): T | undefined {
    const { c, v } = this.#version.get()!;
    const version = `${c}:${v}`;
    if (version !== this.#seen) {
      this.#entries.clear();
      this.#seen = version;
    }
    return this.#entries.get(key);
  }
}
