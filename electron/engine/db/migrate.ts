import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.ts';

/**
 * Brings the schema to the newest version. Each migration and its user_version bump
 * commit in one IMMEDIATE transaction, so a kill -9 leaves the old version or the new
 * one, never a mix.
 */
export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = MIGRATIONS.length;
  if (current > newest) {
    throw new Error(`database schema v${current} is newer than this StableQueue (v${newest}); update StableQueue`);
  }
  for (let version = current + 1; version <= newest; version++) {
    const step = db.transaction(() => {
      MIGRATIONS[version - 1](db);
      db.pragma(`user_version = ${version}`);
    });
    step.immediate();
  }
  return newest;
}
