import type { ComfyTemplate, ComfyTemplateInput, TemplateExtraInput } from '../../../shared/generate-library.ts';
import { isoAt, type Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { LibraryError, nameTaken } from './library-error.ts';
import { initImageSlot } from '../backends/comfyui/graph/input-slots.ts';
import { checkedGraph, checkExtraInputs, findInputSlots, slotDefaults } from './template-slots.ts';

interface TemplateRow {
  id: number;
  name: string;
  description: string;
  workflow_json: string;
  extra_inputs_json: string;
  created_at: string;
  updated_at: string;
}

/** ComfyUI workflows saved as templates; each answer carries the inputs its graph reading found. */
export class TemplateStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  list(): ComfyTemplate[] {
    return (this.#db.prepare('SELECT * FROM comfyui_templates ORDER BY name COLLATE NOCASE').all() as TemplateRow[]).map(view);
  }

  get(id: number): ComfyTemplate {
    const row = this.#db.prepare('SELECT * FROM comfyui_templates WHERE id = ?').get(id) as TemplateRow | undefined;
    if (!row) throw new LibraryError(404, 'unknown_template', `No ComfyUI template with id ${id}.`);
    return view(row);
  }

  /** By id (a number, or digits) or by name regardless of case: how a job names one. */
  find(ref: string | number): ComfyTemplate {
    const text = String(ref).trim();
    const row = (/^\d+$/.test(text) ? this.#db.prepare('SELECT * FROM comfyui_templates WHERE id = ?').get(Number(text)) : undefined)
      ?? this.#db.prepare('SELECT * FROM comfyui_templates WHERE name = ? COLLATE NOCASE').get(text);
    if (!row) {
      const names = (this.#db.prepare('SELECT name FROM comfyui_templates ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
      throw new LibraryError(404, 'unknown_template', `No ComfyUI template "${text}".${names.length ? ` Saved templates: ${names.slice(0, 20).join(', ')}.` : ' Save one under Generate → ComfyUI → Templates first.'}`);
    }
    return view(row as TemplateRow);
  }

  create(input: ComfyTemplateInput): ComfyTemplate {
    const { workflow, extras } = checked(input);
    const now = isoAt(this.#clock);
    try {
      const info = this.#db.prepare('INSERT INTO comfyui_templates (name, description, workflow_json, extra_inputs_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(input.name.trim(), input.description ?? '', workflow, extras, now, now);
      return this.get(Number(info.lastInsertRowid));
    } catch (error) {
      return nameTaken(error, 'template', input.name.trim());
    }
  }

  update(id: number, input: ComfyTemplateInput): ComfyTemplate {
    const current = this.get(id);
    const { workflow, extras } = checked({ ...input, extra_inputs: input.extra_inputs ?? current.extra_inputs });
    try {
      this.#db.prepare('UPDATE comfyui_templates SET name = ?, description = ?, workflow_json = ?, extra_inputs_json = ?, updated_at = ? WHERE id = ?')
        .run(input.name.trim(), input.description ?? current.description, workflow, extras, isoAt(this.#clock), id);
    } catch (error) {
      nameTaken(error, 'template', input.name.trim());
    }
    return this.get(id);
  }

  remove(id: number): void {
    this.get(id);
    this.#db.prepare('DELETE FROM comfyui_templates WHERE id = ?').run(id);
  }
}

function checked(input: ComfyTemplateInput): { workflow: string; extras: string } {
  const graph = checkedGraph(input.workflow);
  const extras = input.extra_inputs ?? [];
  checkExtraInputs(graph, extras);
  // Stored as sent (not the checked copy), so the nodes keep their exact values.
  return { workflow: JSON.stringify(input.workflow), extras: JSON.stringify(extras) };
}

function view(row: TemplateRow): ComfyTemplate {
  const workflow = JSON.parse(row.workflow_json) as Record<string, unknown>;
  const extras = JSON.parse(row.extra_inputs_json) as TemplateExtraInput[];
  const graph = checkedGraph(workflow);
  const detected = findInputSlots(graph);
  const initImage = initImageSlot(graph);
  return {
    id: row.id, name: row.name, description: row.description, workflow, extra_inputs: extras,
    // init_image: a job's init image (and mask) goes there, uploaded when the job runs.
    detected: { ...detected, ...(initImage ? { init_image: [initImage] } : {}) } as ComfyTemplate['detected'],
    defaults: slotDefaults(graph, detected, extras),
    created_at: row.created_at, updated_at: row.updated_at,
  };
}
