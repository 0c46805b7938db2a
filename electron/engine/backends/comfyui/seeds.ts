import { randomInt } from 'node:crypto';
import { isLink, type ComfyGraph } from './workflow.ts';

/** Inputs that carry a noise seed (KSampler `seed`; KSamplerAdvanced, SamplerCustom and RandomNoise `noise_seed`). */
const SEED_INPUTS = ['seed', 'noise_seed'] as const;

/** Values a primitive/seed node may hold the seed in, when a sampler's seed input is a link. */
const VALUE_INPUTS = ['seed', 'noise_seed', 'value', 'int'] as const;

/** A fresh random seed: below 2^48, so it stays an exact JS number and SQLite integer. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 48 - 1);
}

/** A1111 style: -1, '' or null mean "pick one". */
export function wantsRandomSeed(seed: unknown): boolean {
  return seed === undefined || seed === null || seed === '' || (typeof seed === 'number' && seed < 0);
}

function literalSeed(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/**
 * Gives every literal seed input a new random value (what ComfyUI's "randomize" does
 * before each queue). Linked seeds are left to the node they come from. Returns the
 * seeds written, by node id.
 */
export function randomizeSeeds(graph: ComfyGraph, random: () => number = randomSeed): Record<string, number> {
  const written: Record<string, number> = {};
  for (const [id, node] of Object.entries(graph)) {
    for (const name of SEED_INPUTS) {
      if (literalSeed(node.inputs[name]) === null) continue;
      const seed = random();
      node.inputs[name] = seed;
      written[id] = seed;
    }
  }
  return written;
}

/** The seed a node uses: its literal seed input, or the literal value of the node its seed links to. */
function seedOfNode(graph: ComfyGraph, id: string): number | null {
  const inputs = graph[id]?.inputs ?? {};
  for (const name of SEED_INPUTS) {
    const value = inputs[name];
    const literal = literalSeed(value);
    if (literal !== null) return literal;
    if (isLink(value)) {
      const source = graph[value[0]]?.inputs ?? {};
      for (const key of VALUE_INPUTS) {
        const sourced = literalSeed(source[key]);
        if (sourced !== null) return sourced;
      }
    }
  }
  return null;
}

/**
 * The seed behind an output node's images: breadth-first up its inputs to the nearest
 * node that has a seed (so a hires pass reports its own sampler's seed).
 */
export function seedForOutput(graph: ComfyGraph, outputId: string): number | null {
  const seen = new Set<string>([outputId]);
  let frontier = [outputId];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      if (id !== outputId) {
        const seed = seedOfNode(graph, id);
        if (seed !== null) return seed;
      }
      for (const value of Object.values(graph[id]?.inputs ?? {})) {
        if (isLink(value) && !seen.has(value[0]) && Object.hasOwn(graph, value[0])) {
          seen.add(value[0]);
          next.push(value[0]);
        }
      }
    }
    frontier = next;
  }
  return null;
}

/** Every node that carries a seed (literal or linked), by id: what the job's details record. */
export function seedsInGraph(graph: ComfyGraph): Record<string, number> {
  const seeds: Record<string, number> = {};
  for (const id of Object.keys(graph)) {
    if (!SEED_INPUTS.some((name) => name in graph[id].inputs)) continue;
    const seed = seedOfNode(graph, id);
    if (seed !== null) seeds[id] = seed;
  }
  return seeds;
}
