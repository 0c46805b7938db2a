import { SLOT_FIELDS, type InputSlot, type SlotMap } from '../backends/comfyui/graph/input-slots.ts';
import { randomSeed, wantsRandomSeed } from '../backends/comfyui/seeds.ts';
import type { TemplateExtraInput } from '../../../shared/generate-library.ts';
import { LibraryError } from './library-error.ts';
import { checkedGraph, findInputSlots } from './template-slots.ts';

/**
 * Puts a job's flat fields (positive_prompt, seed, width…) and its named template inputs
 * into the workflow's nodes where the graph reading found them. Only those inputs change:
 * every other node, and every other input of a changed node, stays exactly as sent.
 */

export interface Injection {
  workflow: Record<string, unknown>;
  /** field or input name → the value written (a random seed as drawn) */
  written: Record<string, unknown>;
}

const NUMERIC = new Set(['seed', 'steps', 'cfg_scale', 'denoising_strength', 'width', 'height', 'batch_size']);

function fieldValue(field: string, value: unknown): unknown {
  if (field === 'seed') {
    if (wantsRandomSeed(value) || (typeof value === 'string' && !/^\d+$/.test(value.trim()))) return randomSeed();
    return Number(value);
  }
  if (NUMERIC.has(field)) {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) throw new LibraryError(400, 'validation_error', `${field} must be a number for the workflow, not ${JSON.stringify(value)}.`);
    return n;
  }
  return String(value);
}

export function injectIntoWorkflow(
  workflow: Record<string, unknown>,
  params: Record<string, unknown>,
  extras: TemplateExtraInput[] = [],
  slots: SlotMap | null = null,
): Injection {
  const graph = checkedGraph(workflow);
  const found = slots ?? findInputSlots(graph);
  const written: Record<string, unknown> = {};
  const write = (slot: InputSlot, value: unknown) => {
    graph[slot.node_id]!.inputs[slot.input] = value;
  };
  for (const field of SLOT_FIELDS) {
    const raw = params[field];
    const targets = found[field];
    if (raw === undefined || raw === null || !targets?.length) continue;
    if (field !== 'seed' && raw === '') continue;
    const value = fieldValue(field, raw);
    for (const slot of targets) write(slot, value);
    written[field] = value;
  }
  const inputs = params.template_inputs;
  if (inputs !== undefined && inputs !== null) {
    if (typeof inputs !== 'object' || Array.isArray(inputs)) throw new LibraryError(400, 'validation_error', 'template_inputs must be an object: {"input name": value}.');
    for (const [name, value] of Object.entries(inputs as Record<string, unknown>)) {
      const extra = extras.find((e) => e.name.toLowerCase() === name.toLowerCase());
      if (!extra) {
        throw new LibraryError(400, 'unknown_template_input', `The template has no input named "${name}".${extras.length ? ` Its inputs: ${extras.map((e) => e.name).join(', ')}.` : ' Name inputs on the template first.'}`);
      }
      if (value === null || (typeof value === 'object')) throw new LibraryError(400, 'validation_error', `Template input "${name}" must be a number, text or true/false.`);
      write(extra, value);
      written[extra.name] = value;
    }
  }
  return { workflow: graph as unknown as Record<string, unknown>, written };
}
