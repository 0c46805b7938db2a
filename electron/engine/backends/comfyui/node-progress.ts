import type { ComfyGraph } from './workflow.ts';

/**
 * Which node of a prompt runs, as text: "node 3/7 · VAEDecode". Sampler steps give a
 * percentage, but a decode, an upscale or a video encode reports no steps; without this
 * such a stage shows 0 % and nothing else. Nodes served from ComfyUI's cache are not
 * counted: they do not run.
 */
export class NodeProgress {
  readonly #graph: ComfyGraph | null;
  readonly #cached = new Set<string>();
  readonly #seen: string[] = [];

  constructor(graph: ComfyGraph | null) {
    this.#graph = graph;
  }

  cached(nodes: unknown): void {
    if (Array.isArray(nodes)) for (const id of nodes) this.#cached.add(String(id));
  }

  /** A node started (an `executing` event, or `progress_state` naming it running); returns the text, or null when nothing changed. */
  executing(node: unknown): string | null {
    if (node == null) return null;
    const id = String(node);
    if (this.#seen.includes(id)) return null;
    this.#seen.push(id);
    return this.text();
  }

  /** Share of the nodes done when the current one started: the progress of a graph without samplers. */
  fraction(): number {
    const total = this.#graph ? Object.keys(this.#graph).filter((id) => !this.#cached.has(id)).length : 0;
    return total > 0 ? Math.min(1, Math.max(0, (this.#seen.length - 1) / total)) : 0;
  }

  text(): string | null {
    const current = this.#seen.at(-1);
    if (current === undefined) return null;
    const kind = this.#graph?.[current]?.class_type;
    if (!this.#graph) return `node ${this.#seen.length}${kind ? ` · ${kind}` : ''}`;
    const total = Math.max(this.#seen.length, Object.keys(this.#graph).filter((id) => !this.#cached.has(id)).length);
    return `node ${this.#seen.length}/${total}${kind ? ` · ${kind}` : ''}`;
  }
}

/** The node a `progress_state` event names as running, if any. */
export function runningNodeOf(data: Record<string, unknown>): string | null {
  const nodes = data.nodes;
  if (!nodes || typeof nodes !== 'object') return null;
  for (const [id, state] of Object.entries(nodes as Record<string, { state?: unknown }>)) {
    if (state?.state === 'running') return id;
  }
  return null;
}
