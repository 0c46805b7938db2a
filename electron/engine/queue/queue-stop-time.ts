import type { Clock } from '../clock.ts';
import { nextOpening } from '../servers/allowed-hours.ts';

/**
 * The queue's daily stop time ("stop starting new jobs at 07:00", this machine's time):
 * once the clock has passed it, the queue pauses itself as if Pause were pressed — running
 * jobs finish, nothing new starts until someone resumes; the next day it stops again.
 * Checked at the start of every dispatch pass: jobs only ever start in a pass, so no timer
 * is needed for the stop to hold.
 */
export class QueueStopTime {
  readonly #stopAt: () => string | null;
  readonly #clock: Clock;
  readonly #pause: (reason: string) => void;
  #checkedAt: number;

  constructor(deps: { stopAt: () => string | null; clock: Clock; pause: (reason: string) => void }) {
    this.#stopAt = deps.stopAt;
    this.#clock = deps.clock;
    this.#pause = deps.pause;
    this.#checkedAt = deps.clock.now();
  }

  /** Pauses the queue when the stop time fell since the last check. */
  check(): void {
    const now = this.#clock.now();
    const since = this.#checkedAt;
    this.#checkedAt = now;
    const at = this.#stopAt();
    if (!at || nextOpening({ start: at, end: at }, since, null) > now) return;
    this.#pause(`stop time ${at} reached`);
  }
}
