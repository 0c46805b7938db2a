import Database from 'better-sqlite3';
import type { Db } from '../db/connection.ts';

/** Small tables worth reading back from a damaged database when no backup exists. */
const SALVAGEABLE = ['servers', 'settings', 'api_keys'] as const;

/**
 * Reads what it can of the small configuration tables out of a damaged database file
 * into the fresh one. Each table is copied whole or not at all (a read that hits a
 * damaged page fails the whole table), only the columns both sides have, never replacing
 * a row. Returns the tables recovered.
 */
export function salvageTables(damagedFile: string, into: Db): string[] {
  let source: Database.Database;
  try {
    source = new Database(damagedFile, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  const recovered: string[] = [];
  try {
    for (const table of SALVAGEABLE) {
      try {
        const rows = source.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
        const columns = (into.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
        if (columns.length === 0) continue;
        into.transaction(() => {
          for (const row of rows) {
            const names = columns.filter((c) => c in row);
            into.prepare(`INSERT OR IGNORE INTO ${table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`)
              .run(Object.fromEntries(names.map((n) => [n, row[n]])));
          }
        })();
        recovered.push(`${table} (${rows.length})`);
      } catch {
        // This table sits on a damaged page: nothing of it is taken.
      }
    }
  } finally {
    source.close();
  }
  return recovered;
}
