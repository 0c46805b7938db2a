import type { InputSlot, SlotMap } from '../backends/comfyui/graph/input-slots.ts';
import { findInputSlots } from '../backends/comfyui/graph/input-slots.ts';
import { parseApiWorkflow, type ComfyGraph } from '../backends/comfyui/workflow.ts';
import { BackendError } from '../backends/types.ts';
import type { TemplateExtraInput } from '../../../shared/generate-library.ts';
import { LibraryError } from './library-error.ts';

/** A workflow checked as an API-format graph, or a 400 that says what is wrong with it. */
export function checkedGraph(workflow: unknown): ComfyGraph {
  try {
    return parseApiWorkflow(workflow);
  } catch (error) {
    if (error instanceof BackendError) throw new LibraryError(400, 'invalid_workflow', error.message);
    throw error;
  }
}

/** Extra inputs must name a node and an input the workflow has; a literal, not a link. */
export function checkExtraInputs(graph: ComfyGraph, extras: TemplateExtraInput[]): void {
  const seen = new Set<string>();
  for (const extra of extras) {
    if (seen.has(extra.name.toLowerCase())) throw new LibraryError(400, 'duplicate_input', `Two inputs are named "${extra.name}".`);
    seen.add(extra.name.toLowerCase());
    const node = graph[extra.node_id];
    if (!node) throw new LibraryError(400, 'unknown_node', `Input "${extra.name}": the workflow has no node ${extra.node_id}.`);
    if (!Object.hasOwn(node.inputs, extra.input)) {
      throw new LibraryError(400, 'unknown_input', `Input "${extra.name}": node ${extra.node_id} (${node.class_type}) has no input "${extra.input}". It has: ${Object.keys(node.inputs).join(', ')}.`);
    }
    if (Array.isArray(node.inputs[extra.input])) {
      throw new LibraryError(400, 'linked_input', `Input "${extra.name}": ${extra.input} of node ${extra.node_id} is linked to another node, not a value the form can set.`);
    }
  }
}

/** The value each detected field and extra input has in the workflow as saved. */
export function slotDefaults(graph: ComfyGraph, detected: SlotMap, extras: TemplateExtraInput[]): Record<string, unknown> {
  const at = (slot: InputSlot | undefined) => (slot ? graph[slot.node_id]?.inputs[slot.input] : undefined);
  const defaults: Record<string, unknown> = {};
  for (const [field, slots] of Object.entries(detected)) defaults[field] = at(slots?.[0]);
  for (const extra of extras) defaults[extra.name] = at(extra);
  return defaults;
}

export { findInputSlots };
