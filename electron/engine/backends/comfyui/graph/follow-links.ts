import { isLink, type ComfyGraph, type ComfyNode } from '../workflow.ts';

/**
 * Walking an API-format graph by its links. Helper nodes that only pass a value on
 * (Reroute and its custom cousins) are stepped through, so a reader asks "what feeds
 * this input?" and gets the node that really produces it.
 */

/** Nodes whose one linked input is their output, whatever it carries. */
const PASS_THROUGH = new Set(['Reroute', 'Reroute (rgthree)', 'ReroutePrimitive|pysssss', 'Anything Everywhere', 'Context Switch (rgthree)']);

/** How deep a reader follows links: far beyond any real graph, but a cycle cannot hang it. */
export const MAX_DEPTH = 64;

export interface LinkedNode {
  id: string;
  node: ComfyNode;
  /** Which output of the node the link takes. */
  output: number;
}

/** The node an input value links to (past pass-through nodes), or null for a literal or a dangling link. */
export function linkedNode(graph: ComfyGraph, value: unknown): LinkedNode | null {
  let current = value;
  for (let depth = 0; depth < MAX_DEPTH && isLink(current); depth++) {
    const [id, output] = current;
    const node = Object.hasOwn(graph, id) ? graph[id] : undefined;
    if (!node) return null;
    if (!PASS_THROUGH.has(node.class_type)) return { id, node, output };
    current = Object.values(node.inputs).find(isLink);
  }
  return null;
}

/** The node an input of `node` links to, by input name. */
export function inputNode(graph: ComfyGraph, node: ComfyNode, input: string): LinkedNode | null {
  return linkedNode(graph, node.inputs[input]);
}

/**
 * Node ids that nothing links to: the ends of the graph (SaveImage, PreviewImage,
 * video combiners…), in node-id order so the reading is stable.
 */
export function sinkNodes(graph: ComfyGraph): string[] {
  const linked = new Set<string>();
  for (const node of Object.values(graph)) {
    for (const value of Object.values(node.inputs)) if (isLink(value)) linked.add(value[0]);
  }
  return Object.keys(graph).filter((id) => !linked.has(id)).sort(byNodeId);
}

/** Node ids compare as numbers when they are ("10" after "9"), subgraph ids ("5:3") as text. */
export function byNodeId(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every node upstream of `start` (itself included), nearest first. */
export function upstream(graph: ComfyGraph, start: string): string[] {
  const seen = new Set<string>([start]);
  const order: string[] = [];
  let frontier = [start];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      order.push(id);
      for (const value of Object.values(graph[id]?.inputs ?? {})) {
        if (isLink(value) && !seen.has(value[0]) && Object.hasOwn(graph, value[0])) {
          seen.add(value[0]);
          next.push(value[0]);
        }
      }
    }
    frontier = next;
  }
  return order;
}
