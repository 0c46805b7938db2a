import { BackendError } from '../types.ts';

/** One node of an API-format workflow. Widget values are literals; a link is `[node_id, output_index]`. */
export interface ComfyNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

/** node id (a string) → node: the format POST /prompt takes. */
export type ComfyGraph = Record<string, ComfyNode>;

export function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks that a job's `workflow` is an API-format graph (`{id: {class_type, inputs}}`) and
 * returns a deep copy we may edit. Anything else is a permanent error: retrying cannot fix it.
 */
export function parseApiWorkflow(value: unknown): ComfyGraph {
  const fail = (why: string) => new BackendError('permanent', `The ComfyUI workflow is not in API format: ${why}`);
  if (!isPlainObject(value)) throw fail('it must be an object mapping node ids to {class_type, inputs}.');
  // The UI format (what "Save" writes) has nodes/links arrays; ComfyUI only runs the API format.
  if (Array.isArray(value.nodes) && Array.isArray(value.links)) {
    throw fail('this is the UI workflow format (nodes/links). Export it with "Export (API)" / "Save (API Format)" in ComfyUI.');
  }
  // A whole POST /prompt body ({prompt: {...}, client_id…}) instead of the graph inside it.
  if (isPlainObject(value.prompt) && typeof value.prompt.class_type !== 'string') {
    throw fail('this is a POST /prompt body ({"prompt": {...}, ...}). Send the graph inside "prompt" as generation_params.workflow.');
  }
  const ids = Object.keys(value);
  if (ids.length === 0) throw fail('it has no nodes.');
  for (const id of ids) {
    const node = value[id];
    if (!isPlainObject(node)) throw fail(`node ${id} is not an object.`);
    if (typeof node.class_type !== 'string' || node.class_type === '') throw fail(`node ${id} has no class_type.`);
    if (!isPlainObject(node.inputs)) throw fail(`node ${id} (${node.class_type}) has no inputs object.`);
    for (const [name, input] of Object.entries(node.inputs)) {
      if (isLink(input) && !Object.hasOwn(value, input[0])) {
        throw fail(`node ${id} (${node.class_type}) input '${name}' links to node ${input[0]}, which is not in the workflow.`);
      }
    }
  }
  return structuredClone(value) as unknown as ComfyGraph;
}

/** "Node 3 (KSampler)", with the node's title when it has its own. */
export function nodeLabel(id: string, classType: string | undefined, graph?: ComfyGraph | null): string {
  const title = graph?.[id]?._meta?.title;
  const kind = classType ?? graph?.[id]?.class_type;
  const named = title && title !== kind ? ` "${title}"` : '';
  return `Node ${id}${named}${kind ? ` (${kind})` : ''}`;
}
