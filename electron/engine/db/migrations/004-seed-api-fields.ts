import type Database from 'better-sqlite3';

/**
 * What the MobileSD-compatible API needs beyond the first schema:
 * - `jobs.metadata_json`: the free-form `metadata` a client sends with a job (for its own
 *   display and tracking), returned by the status endpoints and the queue list, never sent
 *   to a backend.
 * - `images.file_name`: the saved file's name (the last part of `file_path`), indexed, so
 *   MobileSD's file routes (`/gallery_files/:filename`, `DELETE
 *   /api/v1/gallery/images/:filename`) look a name up in the table instead of treating it
 *   as a path. A virtual generated column: always equal to what `file_path` says.
 */
export function addSeedApiFields(db: Database.Database): void {
  db.exec(`
    ALTER TABLE jobs ADD COLUMN metadata_json TEXT;
    ALTER TABLE images ADD COLUMN file_name TEXT
      GENERATED ALWAYS AS (substr(file_path, length(rtrim(file_path, replace(file_path, '/', ''))) + 1)) VIRTUAL;
    CREATE INDEX images_file_name ON images (file_name);
  `);
}
