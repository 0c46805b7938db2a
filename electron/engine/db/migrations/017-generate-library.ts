import type Database from 'better-sqlite3';

/**
 * What the Generate page keeps: prompt styles (Forge's styles.csv rows; names are unique
 * regardless of case, as a job names them), ComfyUI API-format workflows saved as
 * templates with the inputs the user named on them, and whole-form presets (JSON).
 */
export function createGenerateLibrary(db: Database.Database): void {
  db.exec(`
    CREATE TABLE prompt_styles (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      prompt TEXT NOT NULL DEFAULT '',
      negative_prompt TEXT NOT NULL DEFAULT '',
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE comfyui_templates (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      description TEXT NOT NULL DEFAULT '',
      workflow_json TEXT NOT NULL,
      extra_inputs_json TEXT NOT NULL DEFAULT '[]',
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE form_presets (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      form_json TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
  `);
}
