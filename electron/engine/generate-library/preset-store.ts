import type { FormPreset, FormPresetInput } from '../../../shared/generate-library.ts';
import { isoAt, type Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { LibraryError, nameTaken } from './library-error.ts';

interface PresetRow {
  id: number;
  name: string;
  form_json: string;
  created_at: string;
  updated_at: string;
}

/** Whole Generate forms saved under a name. The form is the UI's; the engine keeps it as given. */
export class PresetStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  list(): FormPreset[] {
    return (this.#db.prepare('SELECT * FROM form_presets ORDER BY name COLLATE NOCASE').all() as PresetRow[]).map(view);
  }

  get(id: number): FormPreset {
    const row = this.#db.prepare('SELECT * FROM form_presets WHERE id = ?').get(id) as PresetRow | undefined;
    if (!row) throw new LibraryError(404, 'unknown_preset', `No preset with id ${id}.`);
    return view(row);
  }

  /** Saves under the name; a preset of the same name is replaced (saving again updates it). */
  save(input: FormPresetInput): FormPreset {
    const now = isoAt(this.#clock);
    const name = input.name.trim();
    const existing = this.#db.prepare('SELECT id FROM form_presets WHERE name = ? COLLATE NOCASE').get(name) as { id: number } | undefined;
    if (existing) {
      this.#db.prepare('UPDATE form_presets SET name = ?, form_json = ?, updated_at = ? WHERE id = ?').run(name, JSON.stringify(input.form), now, existing.id);
      return this.get(existing.id);
    }
    const info = this.#db.prepare('INSERT INTO form_presets (name, form_json, created_at, updated_at) VALUES (?, ?, ?, ?)').run(name, JSON.stringify(input.form), now, now);
    return this.get(Number(info.lastInsertRowid));
  }

  rename(id: number, name: string): FormPreset {
    this.get(id);
    try {
      this.#db.prepare('UPDATE form_presets SET name = ?, updated_at = ? WHERE id = ?').run(name.trim(), isoAt(this.#clock), id);
    } catch (error) {
      nameTaken(error, 'preset', name.trim());
    }
    return this.get(id);
  }

  remove(id: number): void {
    this.get(id);
    this.#db.prepare('DELETE FROM form_presets WHERE id = ?').run(id);
  }
}

function view(row: PresetRow): FormPreset {
  return { id: row.id, name: row.name, form: JSON.parse(row.form_json) as Record<string, unknown>, created_at: row.created_at, updated_at: row.updated_at };
}
