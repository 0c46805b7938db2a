import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { UpdateCheckResult } from './check-updates.ts';

const HOUR_MS = 3_600_000;
/** Never two checks closer than this, scheduled or asked for: Civitai publishes no limit, be gentle. */
export const MIN_GAP_MS = 5 * 60_000;
/** The first check after a start waits this long (the library scan and hashing come first). */
const FIRST_DELAY_MS = 10 * 60_000;
const LOG_KEY = 'models.update_check';

/** The last update check, as stored (one row in the settings table). */
export interface UpdateRun {
  checked_at: number;
  checked: number;
  updates: number;
  error: string | null;
}

/**
 * The scheduled Civitai update check: every `intervalHours` (a setting; 0 turns it off),
 * each run shifted by a random part of a tenth of the interval (at most an hour) so many
 * installs do not ask Civitai at the same minute, never closer than five minutes to the
 * last run. The last run is stored, so a restart keeps the rhythm instead of checking at
 * once. `tick()` is the whole decision; a one-second timer calls it, tests call it with a
 * moved clock.
 */
export class UpdateSchedule {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #intervalHours: () => number;
  readonly #run: () => Promise<UpdateCheckResult>;
  readonly #found: (result: UpdateCheckResult, at: number) => void;
  readonly #logger: Logger;
  readonly #startedAt: number;
  #jitterMs: number;
  #running: Promise<UpdateRun> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: {
    db: Db; clock: Clock; logger: Logger; random?: () => number;
    intervalHours: () => number;
    run: () => Promise<UpdateCheckResult>;
    /** Called after a run that found updates. */
    found: (result: UpdateCheckResult, at: number) => void;
  }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#random = deps.random ?? Math.random;
    this.#intervalHours = deps.intervalHours;
    this.#run = deps.run;
    this.#found = deps.found;
    this.#logger = deps.logger;
    this.#startedAt = deps.clock.now();
    this.#jitterMs = this.#drawJitter();
  }

  #drawJitter(): number {
    return Math.floor(this.#random() * Math.min(HOUR_MS, this.#intervalHours() * HOUR_MS * 0.1));
  }

  lastRun(): UpdateRun | null {
    const row = this.#db.prepare<[string], { value_json: string }>('SELECT value_json FROM settings WHERE key = ?').get(LOG_KEY);
    return row ? JSON.parse(row.value_json) as UpdateRun : null;
  }

  #store(run: UpdateRun): void {
    this.#db.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json')
      .run(LOG_KEY, JSON.stringify(run));
  }

  /** When the next scheduled check is due; null when checks are off. */
  nextDueAt(): number | null {
    const hours = this.#intervalHours();
    if (!(hours > 0)) return null;
    const last = this.lastRun();
    if (!last) return this.#startedAt + FIRST_DELAY_MS + this.#jitterMs;
    return Math.max(last.checked_at + hours * HOUR_MS + this.#jitterMs, last.checked_at + MIN_GAP_MS);
  }

  /** Runs the check if it is due; answers the run it started (or the one in flight). */
  tick(): Promise<UpdateRun> | null {
    if (this.#running) return this.#running;
    const due = this.nextDueAt();
    if (due === null || this.#clock.now() < due) return null;
    return this.checkNow();
  }

  /** A check now (the schedule's or the user's), unless one ran less than five minutes ago. */
  checkNow(): Promise<UpdateRun> {
    if (this.#running) return this.#running;
    const last = this.lastRun();
    const now = this.#clock.now();
    if (last && now - last.checked_at < MIN_GAP_MS) return Promise.resolve(last);
    this.#running = this.#run().then(
      (result) => ({ checked_at: now, checked: result.checked, updates: result.updates, error: null }),
      (error: Error) => ({ checked_at: now, checked: 0, updates: last?.updates ?? 0, error: error.message }),
    ).then((run) => {
      this.#store(run);
      this.#jitterMs = this.#drawJitter();
      if (run.error) this.#logger.warn({ err: run.error }, 'scheduled model update check failed');
      else if (run.updates > 0) this.#found({ checked: run.checked, updates: run.updates }, run.checked_at);
      return run;
    }).finally(() => { this.#running = null; });
    return this.#running;
  }

  start(pollMs = 1000): void {
    this.#timer = setInterval(() => { void this.tick(); }, pollMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => {});
  }
}
