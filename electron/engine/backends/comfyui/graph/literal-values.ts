import { isLink, type ComfyGraph } from '../workflow.ts';
import { linkedNode, MAX_DEPTH } from './follow-links.ts';

/**
 * The value an input really has: its literal, or the literal held by the node it links
 * to. Widgets turned into inputs point at primitive nodes (core PrimitiveInt /
 * PrimitiveString…, seed nodes, WAS / Comfyroll text nodes); string nodes that join
 * text (StringConcatenate, Text Concatenate) are joined here.
 */

/** Input names a value-holding node keeps its value under, most specific first. */
const STRING_HOLDERS = ['value', 'text', 'string', 'text_multiline', 'prompt', 'Text', 'populated_text', 'wildcard_text'];
const NUMBER_HOLDERS = ['value', 'seed', 'noise_seed', 'int', 'float', 'number', 'Number', 'steps', 'cfg'];

function joinedText(graph: ComfyGraph, inputs: Record<string, unknown>, depth: number): string | null {
  // Core StringConcatenate: string_a + delimiter + string_b.
  if ('string_a' in inputs && 'string_b' in inputs) {
    const parts = [stringAt(graph, inputs.string_a, depth + 1), stringAt(graph, inputs.string_b, depth + 1)].filter((s): s is string => s !== null);
    const delimiter = typeof inputs.delimiter === 'string' ? inputs.delimiter : '';
    return parts.length ? parts.join(delimiter) : null;
  }
  // WAS "Text Concatenate": text_a, text_b, … with a delimiter.
  const keys = Object.keys(inputs).filter((k) => /^text_[a-z]$/.test(k)).sort();
  if (keys.length >= 2) {
    const parts = keys.map((k) => stringAt(graph, inputs[k], depth + 1)).filter((s): s is string => s !== null && s !== '');
    const delimiter = typeof inputs.delimiter === 'string' ? inputs.delimiter : ', ';
    return parts.length ? parts.join(delimiter) : null;
  }
  return null;
}

/** A string input's text, following links to string nodes; null when it cannot be known. */
export function stringAt(graph: ComfyGraph, value: unknown, depth = 0): string | null {
  if (typeof value === 'string') return value;
  if (depth > MAX_DEPTH) return null;
  const source = linkedNode(graph, value);
  if (!source) return null;
  const inputs = source.node.inputs;
  const joined = joinedText(graph, inputs, depth);
  if (joined !== null) return joined;
  for (const name of STRING_HOLDERS) {
    if (!(name in inputs)) continue;
    const text = stringAt(graph, inputs[name], depth + 1);
    if (text !== null) return text;
  }
  return null;
}

/** A number input's value, following links to primitive / seed nodes; null when it cannot be known. */
export function numberAt(graph: ComfyGraph, value: unknown, depth = 0): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (depth > MAX_DEPTH) return null;
  const source = linkedNode(graph, value);
  if (!source) return null;
  for (const name of NUMBER_HOLDERS) {
    if (!(name in source.node.inputs)) continue;
    const n = numberAt(graph, source.node.inputs[name], depth + 1);
    if (n !== null) return n;
  }
  return null;
}

/** Where a value is written: a node and one of its inputs. */
export interface InputSlot {
  node_id: string;
  input: string;
}

/**
 * Where the literal behind `node.inputs[input]` lives, by the same holder names the readers
 * above use: on the node itself, or on the primitive / text node it links to (a widget
 * turned into an input). Null when it is not a literal of that kind or cannot be known.
 */
export function literalSlot(graph: ComfyGraph, nodeId: string, input: string, kind: 'number' | 'string', depth = 0): InputSlot | null {
  const value = graph[nodeId]?.inputs[input];
  if (value === undefined || depth > MAX_DEPTH) return null;
  if (!isLink(value)) return (kind === 'number' ? typeof value === 'number' : typeof value === 'string') ? { node_id: nodeId, input } : null;
  const source = linkedNode(graph, value);
  if (!source) return null;
  for (const name of kind === 'number' ? NUMBER_HOLDERS : STRING_HOLDERS) {
    if (!(name in source.node.inputs)) continue;
    const found = literalSlot(graph, source.id, name, kind, depth + 1);
    if (found) return found;
  }
  return null;
}
