import type Database from 'better-sqlite3';

/**
 * `images.batch_id`: a batch's contact sheet belongs to the batch, not to the job whose
 * row it is filed under (the batch's first job, so its file sits next to the batch's
 * images and the job's row holds it). A job's own images are the rows without a batch_id,
 * so the sheet is neither counted in nor listed among that job's outputs; the gallery
 * still shows it. Sheets made before this are found by the batch id in their infotext.
 */
export function addContactSheetBatch(db: Database.Database): void {
  db.exec(`
    ALTER TABLE images ADD COLUMN batch_id TEXT;
    CREATE INDEX images_batch ON images (batch_id) WHERE batch_id IS NOT NULL;
    UPDATE images SET batch_id = json_extract(infotext, '$.contact_sheet.batch_id')
      WHERE kind = 'grid' AND idx >= 900 AND json_valid(infotext) AND json_extract(infotext, '$.contact_sheet.batch_id') IS NOT NULL;
  `);
}
