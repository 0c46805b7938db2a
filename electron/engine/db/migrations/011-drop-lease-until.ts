import type Database from 'better-sqlite3';

/**
 * Drops `jobs.lease_until`: it was written at claim and cleared at settle but never read or
 * extended. One engine owns the data folder and start-up recovery takes back every
 * processing job, so an expiry time had nothing to decide; the lease token stays as the
 * fence that keeps a stale attempt from writing over a newer one.
 */
export function dropJobLeaseUntil(db: Database.Database): void {
  db.exec(`
    ALTER TABLE jobs DROP COLUMN lease_until;
  `);
}
