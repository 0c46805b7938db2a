import type Database from 'better-sqlite3';
import { checkpointKey } from '../../gallery/checkpoint-name.ts';

/**
 * The gallery becomes an index of every image the user made, not only StableQueue's own:
 * - `gallery_sources`: folders indexed in place (Forge `outputs/`, ComfyUI `output/`),
 *   never moved or copied. Their images are rows with `source_id` set, `job_id` null and
 *   `file_path` relative to the source's folder; `file_mtime_ms` + `bytes` tell a rescan
 *   which files changed, so indexing resumes where it stopped.
 * - `images` is rebuilt: `job_id` becomes nullable (a CHECK: a row has a job or a
 *   source), and gains the fields read from the metadata (negative prompt, sampler,
 *   scheduler, steps, cfg, checkpoint hash, the Generate-form settings), a normalised
 *   `checkpoint_key` (`x.safetensors` and `x` are one model), rating, favourite, note,
 *   and the trash state: 'visible', 'trash' (restorable until purged; `trash_file` is
 *   where the file waits when it was moved) or 'hidden' (an outside file the user removed
 *   from the gallery: the row stays so a rescan does not bring it back).
 * - `image_loras`: one row per LoRA use, indexed by name, for the LoRA filter and facet.
 * - `images_fts`: FTS5 over prompt and negative prompt (with prefix indexes, so `cas*` is
 *   fast), kept in step by triggers.
 * - collections and their members (an image may be in several).
 */
export function createGalleryIndex(db: Database.Database): void {
  db.exec(`
    CREATE TABLE gallery_sources (
      id INTEGER PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      label TEXT NOT NULL,
      created_at TEXT NOT NULL
    );

    CREATE TABLE images_new (
      id INTEGER PRIMARY KEY,
      job_id TEXT REFERENCES jobs(mobilesd_job_id) ON DELETE CASCADE,
      idx INTEGER NOT NULL,
      file_path TEXT NOT NULL,
      mime TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      width INTEGER,
      height INTEGER,
      seed REAL,
      infotext TEXT,
      server_alias TEXT,
      app_type TEXT NOT NULL,
      checkpoint TEXT,
      positive_prompt TEXT NOT NULL DEFAULT '',
      created_at TEXT NOT NULL,
      file_name TEXT GENERATED ALWAYS AS (substr(file_path, length(rtrim(file_path, replace(file_path, '/', ''))) + 1)) VIRTUAL,
      kind TEXT NOT NULL DEFAULT 'result' CHECK (kind IN ('result', 'grid', 'control_map')),
      source_id INTEGER REFERENCES gallery_sources(id) ON DELETE CASCADE,
      file_mtime_ms INTEGER,
      negative_prompt TEXT,
      sampler TEXT,
      scheduler TEXT,
      steps INTEGER,
      cfg_scale REAL,
      checkpoint_hash TEXT,
      checkpoint_key TEXT,
      settings_json TEXT,
      rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
      favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
      note TEXT,
      state TEXT NOT NULL DEFAULT 'visible' CHECK (state IN ('visible', 'trash', 'hidden')),
      deleted_at TEXT,
      trash_file TEXT,
      CHECK ((job_id IS NULL) <> (source_id IS NULL)),
      UNIQUE (job_id, idx)
    );
    INSERT INTO images_new (id, job_id, idx, file_path, mime, bytes, sha256, width, height, seed, infotext, server_alias,
      app_type, checkpoint, positive_prompt, created_at, kind)
      SELECT id, job_id, idx, file_path, mime, bytes, sha256, width, height, seed, infotext, server_alias,
      app_type, checkpoint, positive_prompt, created_at, kind FROM images;
    DROP TABLE images;
    ALTER TABLE images_new RENAME TO images;

    CREATE INDEX images_created ON images (created_at DESC, id DESC);
    -- The gallery as shown: counted, paged newest first and its facets counted from the index alone.
    CREATE INDEX images_visible ON images (state, kind, created_at DESC, id DESC, checkpoint_key, sampler, width, height, source_id, server_alias, rating);
    -- Every filterable column beside the id: a full-text match is checked against the
    -- filters and ordered from this index alone, without reading the (wide) rows.
    CREATE INDEX images_filter ON images (id, state, kind, checkpoint_key, sampler, width, height, source_id, server_alias, rating, favourite, created_at);
    CREATE INDEX images_file_name ON images (file_name);
    CREATE UNIQUE INDEX images_source_file ON images (source_id, file_path) WHERE source_id IS NOT NULL;
    CREATE INDEX images_rating ON images (rating DESC, created_at DESC, id DESC);
    CREATE INDEX images_checkpoint_key ON images (checkpoint_key, created_at DESC, id DESC);
    CREATE INDEX images_favourite ON images (created_at DESC, id DESC) WHERE favourite = 1;
    CREATE INDEX images_trash ON images (deleted_at) WHERE state = 'trash';

    CREATE TABLE image_loras (
      image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
      name TEXT NOT NULL COLLATE NOCASE,
      weight REAL NOT NULL,
      PRIMARY KEY (image_id, name)
    ) WITHOUT ROWID;
    CREATE INDEX image_loras_name ON image_loras (name, image_id);

    CREATE VIRTUAL TABLE images_fts USING fts5(
      positive_prompt, negative_prompt, content='images', content_rowid='id', tokenize='unicode61', prefix='2 3'
    );
    CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
      INSERT INTO images_fts (rowid, positive_prompt, negative_prompt) VALUES (new.id, new.positive_prompt, coalesce(new.negative_prompt, ''));
    END;
    CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
      INSERT INTO images_fts (images_fts, rowid, positive_prompt, negative_prompt) VALUES ('delete', old.id, old.positive_prompt, coalesce(old.negative_prompt, ''));
    END;
    CREATE TRIGGER images_fts_update AFTER UPDATE OF positive_prompt, negative_prompt ON images BEGIN
      INSERT INTO images_fts (images_fts, rowid, positive_prompt, negative_prompt) VALUES ('delete', old.id, old.positive_prompt, coalesce(old.negative_prompt, ''));
      INSERT INTO images_fts (rowid, positive_prompt, negative_prompt) VALUES (new.id, new.positive_prompt, coalesce(new.negative_prompt, ''));
    END;
    INSERT INTO images_fts (images_fts) VALUES ('rebuild');

    CREATE TABLE gallery_collections (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      created_at TEXT NOT NULL
    );
    CREATE TABLE gallery_collection_images (
      collection_id INTEGER NOT NULL REFERENCES gallery_collections(id) ON DELETE CASCADE,
      image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
      added_at TEXT NOT NULL,
      PRIMARY KEY (collection_id, image_id)
    ) WITHOUT ROWID;
    CREATE INDEX gallery_collection_images_image ON gallery_collection_images (image_id);
  `);
  // Existing rows: the normalised checkpoint name, so the filter and facet see one name per model.
  const update = db.prepare('UPDATE images SET checkpoint_key = ? WHERE id = ?');
  for (const row of db.prepare<[], { id: number; checkpoint: string | null }>('SELECT id, checkpoint FROM images WHERE checkpoint IS NOT NULL').all()) {
    update.run(checkpointKey(row.checkpoint), row.id);
  }
}
