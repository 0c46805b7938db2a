import type { ProgressUpdate } from '../types.ts';
import type { ComfyGraph } from './workflow.ts';

/** Nodes that denoise and report steps: the samplers, recognised by a seed input or by name. */
export function samplerNodes(graph: ComfyGraph): string[] {
  return Object.entries(graph)
    .filter(([, node]) => 'seed' in node.inputs || 'noise_seed' in node.inputs || node.class_type === 'SamplerCustomAdvanced')
    .map(([id]) => id);
}

/**
 * Overall progress of one prompt from its WebSocket events: each sampler node counts
 * equally (value/max of its steps); cached samplers count as done. Other nodes that
 * report progress (upscalers…) join the count when they first report. Never goes back.
 */
export class PromptProgress {
  readonly #expected: Set<string>;
  readonly #done = new Map<string, number>();
  readonly #now: () => number;
  #startedAt: number | null = null;
  #current: string | null = null;
  #last = 0;

  constructor(graph: ComfyGraph | null, now: () => number = Date.now) {
    this.#expected = new Set(graph ? samplerNodes(graph) : []);
    this.#now = now;
  }

  started(): void {
    this.#startedAt ??= this.#now();
  }

  cached(nodes: unknown): void {
    if (!Array.isArray(nodes)) return;
    for (const id of nodes.map(String)) if (this.#expected.has(id)) this.#done.set(id, 1);
  }

  /** A new node started: the one that reported steps before it is finished. */
  executing(node: unknown): void {
    if (this.#current !== null && node !== this.#current && this.#done.has(this.#current)) this.#done.set(this.#current, 1);
    this.#current = node == null ? null : String(node);
  }

  step(node: unknown, value: unknown, max: unknown): ProgressUpdate | null {
    const v = Number(value);
    const m = Number(max);
    if (!Number.isFinite(v) || !Number.isFinite(m) || m <= 0) return null;
    const id = node == null ? (this.#current ?? '?') : String(node);
    this.#current = id;
    this.#done.set(id, Math.max(0, Math.min(1, v / m)));
    const count = Math.max(1, new Set([...this.#expected, ...this.#done.keys()]).size);
    const sum = [...this.#done.values()].reduce((a, b) => a + b, 0);
    this.#last = Math.max(this.#last, Math.min(1, sum / count));
    const elapsed = this.#startedAt === null ? null : (this.#now() - this.#startedAt) / 1000;
    const eta = elapsed !== null && this.#last > 0 && this.#last < 1 ? (elapsed / this.#last) * (1 - this.#last) : null;
    return { progress: this.#last, etaSeconds: eta, step: Math.round(v), steps: Math.round(m) };
  }
}
