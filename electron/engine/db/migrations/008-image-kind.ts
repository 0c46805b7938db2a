import type Database from 'better-sqlite3';

/**
 * `images.kind`: what a saved image is. Every image so far is a result; a job that asks to
 * keep the extras a server returns (`keep_extra_images`) also gets its grid ('grid') and
 * detected maps ('control_map'), labelled so the gallery can leave them out by default.
 */
export function addImageKind(db: Database.Database): void {
  db.exec(`
    ALTER TABLE images ADD COLUMN kind TEXT NOT NULL DEFAULT 'result' CHECK (kind IN ('result', 'grid', 'control_map'));
  `);
}
