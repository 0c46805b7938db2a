import path from 'node:path';
import type { Logger } from 'pino';
import type { DiskStatus } from '../../../shared/ops.ts';
import { errorPath, formatMegabytes, type StatFs } from './disk-space.ts';

export interface WatchedPlace {
  label: string;
  path: string;
  /** The database lives here: a write SQLite refuses (SQLITE_FULL, it names no file) is about this place. */
  holdsDatabase?: boolean;
}

/** An error from SQLite itself (better-sqlite3 codes start with SQLITE_), however deeply wrapped. */
function isSqliteError(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (((e as { code?: unknown }).code as string | undefined)?.startsWith?.('SQLITE_')) return true;
  }
  return false;
}

/**
 * Holds the queue while a disk is full. When a write fails for lack of space (an image,
 * the database), `reportFull` blocks new claims with a message naming the place and what
 * is left ("disk full at /outputs: 12 MB free"), then checks every `checkEveryMs` and lifts
 * the block by itself once `resumeFreeBytes` are free again. It also answers the UI's
 * low-disk warning for every watched place. The user's own pause setting is not touched.
 */
export class DiskGuard {
  readonly #places: WatchedPlace[];
  readonly #statfs: StatFs;
  readonly #logger: Logger;
  readonly #resumeFreeBytes: number;
  readonly #checkEveryMs: number;
  readonly #lowWarningBytes: () => number;
  readonly #onResume: () => void;
  #blocked: { place: WatchedPlace; message: string } | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: {
    places: WatchedPlace[]; statfs: StatFs; logger: Logger; resumeFreeBytes: number; checkEveryMs: number;
    lowWarningBytes: () => number; onResume: () => void;
  }) {
    this.#places = deps.places;
    this.#statfs = deps.statfs;
    this.#logger = deps.logger;
    this.#resumeFreeBytes = deps.resumeFreeBytes;
    this.#checkEveryMs = deps.checkEveryMs;
    this.#lowWarningBytes = deps.lowWarningBytes;
    this.#onResume = deps.onResume;
  }

  /** The message while the queue waits for space, else null. */
  blocked(): string | null {
    return this.#blocked?.message ?? null;
  }

  /** The watched place holding `file` (the deepest one), or the first place. */
  placeOf(file: string | null): WatchedPlace {
    if (file) {
      const full = path.resolve(file);
      const holders = this.#places.filter((p) => full === p.path || full.startsWith(p.path + path.sep));
      if (holders.length) return holders.sort((a, b) => b.path.length - a.path.length)[0];
    }
    return this.#places[0];
  }

  /** A write failed with a full (or read-only) disk: hold the queue until space is back. */
  async reportFull(error: unknown, fallbackPlace?: string): Promise<string> {
    const database = isSqliteError(error) ? this.#places.find((p) => p.holdsDatabase) : undefined;
    const place = database ?? this.placeOf(errorPath(error) ?? fallbackPlace ?? null);
    const free = await this.#statfs(place.path).then((r) => r.free, () => 0);
    const code = (error as { code?: string })?.code;
    const message = code === 'EROFS' || code === 'SQLITE_READONLY'
      ? `disk read-only at ${place.path}: ${formatMegabytes(free)} free`
      : `disk full at ${place.path}: ${formatMegabytes(free)} free`;
    const first = this.#blocked === null;
    this.#blocked = { place, message };
    if (first) this.#logger.error({ place: place.path, free, err: (error as Error)?.message }, `queue held: ${message}`);
    this.#timer ??= setInterval(() => void this.#recheck(), this.#checkEveryMs);
    this.#timer.unref();
    return message;
  }

  async #recheck(): Promise<void> {
    if (!this.#blocked) return;
    const free = await this.#statfs(this.#blocked.place.path).then((r) => r.free, () => 0);
    if (free < this.#resumeFreeBytes) return;
    this.#logger.info({ place: this.#blocked.place.path, free }, 'disk space is back; the queue goes on');
    this.#blocked = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#onResume();
  }

  /** Free space of every watched place, with the low-disk flag for the UI. */
  async status(): Promise<DiskStatus[]> {
    const threshold = this.#lowWarningBytes();
    return Promise.all(this.#places.map(async (place) => {
      const reading = await this.#statfs(place.path).catch(() => null);
      return {
        label: place.label, path: place.path, free_bytes: reading?.free ?? null, total_bytes: reading?.total ?? null,
        low: reading !== null && reading.free < threshold,
      };
    }));
  }

  /** Free bytes where `file` will be written; null when the filesystem cannot say. */
  async freeAt(file: string): Promise<number | null> {
    return this.#statfs(path.dirname(file)).then((r) => r.free, () => null);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
