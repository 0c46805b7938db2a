/**
 * A Generate form as a shareable preset: the JSON file holds the form's fields under a
 * format tag, so a file of anything else is refused instead of half-loaded. Reading takes
 * only the fields the form has, with the type the form gives them.
 */
import { defaultForm, type GenerateForm } from '../stores/generate.ts';

export const PRESET_FORMAT = 'stablequeue.generate-preset.v1';

export interface PresetFile {
  format: typeof PRESET_FORMAT;
  name: string;
  form: Partial<GenerateForm>;
}

/** The form without where it goes (server, priority): a preset is about the picture. */
export function presetOf(form: GenerateForm): Partial<GenerateForm> {
  const { target: _target, priority: _priority, ...rest } = form;
  return jsonCopy(rest);
}

/** A deep copy of JSON data; unlike structuredClone it also takes Vue's reactive proxies. */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function presetFile(name: string, form: GenerateForm): PresetFile {
  return { format: PRESET_FORMAT, name, form: presetOf(form) };
}

/** A saved or shared preset applied over the current form; unknown or mistyped fields are ignored. */
export function formWithPreset(current: GenerateForm, preset: Record<string, unknown>): GenerateForm {
  const base = defaultForm() as unknown as Record<string, unknown>;
  const next = { ...current } as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(preset)) {
    if (key === 'target' || key === 'priority' || !(key in base)) continue;
    const expected = base[key];
    if (Array.isArray(expected) ? Array.isArray(value) : typeof value === typeof expected && value !== null) next[key] = jsonCopy(value);
  }
  return next as unknown as GenerateForm;
}

/** Reads a shared preset file; throws a readable error for anything else. */
export function parsePresetFile(text: string): PresetFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('That file is not JSON.');
  }
  const file = data as Partial<PresetFile>;
  if (!file || typeof file !== 'object' || file.format !== PRESET_FORMAT || !file.form || typeof file.form !== 'object') {
    throw new Error('That file is not a StableQueue Generate preset.');
  }
  return { format: PRESET_FORMAT, name: typeof file.name === 'string' && file.name.trim() ? file.name.trim() : 'Imported preset', form: file.form };
}
