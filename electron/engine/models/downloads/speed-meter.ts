/**
 * Download speed as an exponentially weighted average of ≥250 ms samples, and the ETA
 * from it. `now` is injectable for tests.
 */
export class SpeedMeter {
  readonly #now: () => number;
  #lastAt: number;
  #lastBytes: number;
  #speed: number | null = null;

  constructor(startBytes: number, now: () => number = () => performance.now()) {
    this.#now = now;
    this.#lastAt = now();
    this.#lastBytes = startBytes;
  }

  /** Feeds the running byte count; returns bytes per second (null until the first sample). */
  update(bytes: number): number | null {
    const at = this.#now();
    const dt = at - this.#lastAt;
    if (dt >= 250) {
      const instant = ((bytes - this.#lastBytes) * 1000) / dt;
      this.#speed = this.#speed === null ? instant : this.#speed * 0.6 + instant * 0.4;
      this.#lastAt = at;
      this.#lastBytes = bytes;
    }
    return this.#speed;
  }

  get speed(): number | null {
    return this.#speed;
  }

  eta(bytes: number, total: number | null): number | null {
    if (!total || !this.#speed || this.#speed <= 0) return null;
    return Math.max(0, (total - bytes) / this.#speed);
  }
}
