import type Database from 'better-sqlite3';

/** Reserved for styles, ComfyUI templates and form presets; filled in by that work. */
export function createGenerateLibrary(db: Database.Database): void {
  void db;
}
