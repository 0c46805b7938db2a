import fs from 'node:fs/promises';
import path from 'node:path';

/** Free and total bytes of the filesystem holding a path (the nearest existing folder above it). */
export interface SpaceReading {
  free: number;
  total: number;
}

export type StatFs = (dir: string) => Promise<SpaceReading>;

export const statFs: StatFs = async (dir) => {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const stats = await fs.statfs(current);
      // bavail: what an unprivileged writer may still use (root's reserve excluded).
      return { free: stats.bavail * stats.bsize, total: stats.blocks * stats.bsize };
    } catch (error) {
      const parent = path.dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      current = parent;
    }
  }
};

/** Errors that mean "no room to write" or "this filesystem takes no writes", from Node or SQLite, however deeply wrapped. */
const DISK_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR_WRITE']);

export function isDiskFullError(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (DISK_CODES.has((e as { code?: string }).code ?? '')) return true;
  }
  return false;
}

/** The failing path an fs error carries, if any (the temp file being written). */
export function errorPath(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const p = (e as { path?: unknown }).path;
    if (typeof p === 'string') return p;
  }
  return null;
}

export function formatMegabytes(bytes: number): string {
  return `${Math.floor(bytes / (1024 * 1024))} MB`;
}
