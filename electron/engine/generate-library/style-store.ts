import type { Style, StyleInput } from '../../../shared/generate-library.ts';
import { isoAt, type Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { LibraryError, nameTaken } from './library-error.ts';

/** StableQueue's own prompt styles (SQLite), looked up by name regardless of case. */
export class StyleStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  list(): Style[] {
    return this.#db.prepare('SELECT * FROM prompt_styles ORDER BY name COLLATE NOCASE').all() as Style[];
  }

  get(id: number): Style {
    const row = this.#db.prepare('SELECT * FROM prompt_styles WHERE id = ?').get(id) as Style | undefined;
    if (!row) throw new LibraryError(404, 'unknown_style', `No style with id ${id}.`);
    return row;
  }

  byName(name: string): Style | null {
    return (this.#db.prepare('SELECT * FROM prompt_styles WHERE name = ? COLLATE NOCASE').get(name.trim()) as Style | undefined) ?? null;
  }

  create(input: StyleInput): Style {
    const now = isoAt(this.#clock);
    try {
      const info = this.#db.prepare('INSERT INTO prompt_styles (name, prompt, negative_prompt, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(input.name.trim(), input.prompt ?? '', input.negative_prompt ?? '', now, now);
      return this.get(Number(info.lastInsertRowid));
    } catch (error) {
      return nameTaken(error, 'style', input.name.trim());
    }
  }

  update(id: number, input: StyleInput): Style {
    const current = this.get(id);
    try {
      this.#db.prepare('UPDATE prompt_styles SET name = ?, prompt = ?, negative_prompt = ?, updated_at = ? WHERE id = ?')
        .run(input.name.trim(), input.prompt ?? current.prompt, input.negative_prompt ?? current.negative_prompt, isoAt(this.#clock), id);
    } catch (error) {
      nameTaken(error, 'style', input.name.trim());
    }
    return this.get(id);
  }

  remove(id: number): void {
    this.get(id);
    this.#db.prepare('DELETE FROM prompt_styles WHERE id = ?').run(id);
  }

  /** Adds or replaces styles by name in one transaction (a styles.csv import). */
  upsertAll(styles: Array<Required<StyleInput>>): { added: number; updated: number } {
    let added = 0;
    let updated = 0;
    const now = isoAt(this.#clock);
    this.#db.transaction(() => {
      for (const style of styles) {
        const existing = this.byName(style.name);
        if (existing) {
          this.#db.prepare('UPDATE prompt_styles SET prompt = ?, negative_prompt = ?, updated_at = ? WHERE id = ?').run(style.prompt, style.negative_prompt, now, existing.id);
          updated++;
        } else {
          this.#db.prepare('INSERT INTO prompt_styles (name, prompt, negative_prompt, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(style.name.trim(), style.prompt, style.negative_prompt, now, now);
          added++;
        }
      }
    })();
    return { added, updated };
  }
}
