import path from 'node:path';
import Database from 'better-sqlite3';

export class DataDirInUseError extends Error {}

/**
 * Makes sure one StableQueue at a time uses a data dir: a second engine would requeue the
 * first one's running jobs at start-up and run them twice. The lock is an exclusive SQLite
 * lock on a small file, held for the life of the process; the OS drops it when the process
 * dies (kill -9 included), so there is no stale lock file to clean up, and it works across
 * container PID namespaces on one host.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'stablequeue.lock');
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new DataDirInUseError(`Another StableQueue is already running with the data folder ${dataDir}. Stop it first, or give this one its own folder (STABLEQUEUE_DATA_DIR).`);
    }
    throw error;
  }
  return () => db.close();
}
