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
  // A step that rebuilds a table (to change a CHECK) drops the old one; with foreign keys
  // on, that drop would cascade into the rows that point at it. So steps run with them off
  // (the pragma is a no-op inside a transaction, hence here) and each step's references
  // are checked before it commits.
  const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
  if (enforced && current < newest) db.pragma('foreign_keys = OFF');
  try {
    for (let version = current + 1; version <= newest; version++) {
      const step = db.transaction(() => {
        MIGRATIONS[version - 1](db);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length) throw new Error(`migration to v${version} left ${broken.length} broken references: ${JSON.stringify(broken.slice(0, 3))}`);
        db.pragma(`user_version = ${version}`);
      });
      step.immediate();
    }
  } finally {
    if (enforced && current < newest) db.pragma('foreign_keys = ON');
  }
  return newest;
}
