import type { Clock } from '../../electron/engine/clock.ts';

/** A clock tests move by hand (graphile-worker style: backdate instead of sleeping). */
export class FakeClock implements Clock {
  #now: number;
  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}
