import type { ComfyGraph, ComfyNode } from '../workflow.ts';
import { inputNode, linkedNode, MAX_DEPTH } from './follow-links.ts';
import { numberAt, stringAt } from './literal-values.ts';

/**
 * What one sampler node runs with, and the links to what feeds it. KSampler keeps it
 * all in its widgets; KSamplerAdvanced calls its seed `noise_seed`; SamplerCustom and
 * SamplerCustomAdvanced take the pieces from other nodes (RandomNoise, CFGGuider /
 * BasicGuider, KSamplerSelect, BasicScheduler and the other sigma schedulers).
 */

export interface SamplerSettings {
  seed: number | null;
  steps: number | null;
  cfg: number | null;
  sampler_name: string | null;
  scheduler: string | null;
  denoise: number | null;
  /** Links (or null) to the inputs the reader follows further. */
  model: unknown;
  positive: unknown;
  negative: unknown;
  latent: unknown;
}

/** Sigma schedulers without a `scheduler` widget are named after what they are. */
const SCHEDULER_NODES: Record<string, string> = {
  KarrasScheduler: 'karras',
  ExponentialScheduler: 'exponential',
  PolyexponentialScheduler: 'polyexponential',
  LaplaceScheduler: 'laplace',
  VPScheduler: 'vp',
  BetaSamplingScheduler: 'beta',
  SDTurboScheduler: 'sd_turbo',
  AlignYourStepsScheduler: 'align_your_steps',
  GITSScheduler: 'gits',
  OptimalStepsScheduler: 'optimal_steps',
  LTXVScheduler: 'ltxv',
};

/** Class types that sample; others count when they look like one (a seed, steps and a latent). */
export const SAMPLER_CLASSES = new Set(['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'SamplerCustomAdvanced', 'KSampler (Efficient)', 'KSampler Adv. (Efficient)']);

export function isSampler(node: ComfyNode): boolean {
  if (SAMPLER_CLASSES.has(node.class_type)) return true;
  const inputs = node.inputs;
  return ('seed' in inputs || 'noise_seed' in inputs) && 'steps' in inputs && 'latent_image' in inputs;
}

/** The input a sampler takes its starting latent from. */
export const LATENT_INPUT = 'latent_image';

function readSigmas(graph: ComfyGraph, value: unknown, depth = 0): Pick<SamplerSettings, 'steps' | 'scheduler' | 'denoise'> & { model: unknown } {
  const source = depth > MAX_DEPTH ? null : linkedNode(graph, value);
  if (!source) return { steps: null, scheduler: null, denoise: null, model: null };
  const { node } = source;
  // SplitSigmas / FlipSigmas and friends: the schedule comes from further up.
  if ('sigmas' in node.inputs) return readSigmas(graph, node.inputs.sigmas, depth + 1);
  return {
    steps: numberAt(graph, node.inputs.steps),
    scheduler: stringAt(graph, node.inputs.scheduler) ?? SCHEDULER_NODES[node.class_type] ?? null,
    denoise: numberAt(graph, node.inputs.denoise),
    model: node.inputs.model ?? null,
  };
}

function readGuider(graph: ComfyGraph, value: unknown): Pick<SamplerSettings, 'cfg' | 'model' | 'positive' | 'negative'> {
  const source = linkedNode(graph, value);
  if (!source) return { cfg: null, model: null, positive: null, negative: null };
  const inputs = source.node.inputs;
  return {
    cfg: numberAt(graph, inputs.cfg),
    model: inputs.model ?? null,
    // CFGGuider: positive / negative; BasicGuider: conditioning; DualCFGGuider: cond1 / negative.
    positive: inputs.positive ?? inputs.conditioning ?? inputs.cond1 ?? null,
    negative: inputs.negative ?? null,
  };
}

export function readSampler(graph: ComfyGraph, node: ComfyNode): SamplerSettings {
  const inputs = node.inputs;
  const settings: SamplerSettings = {
    seed: numberAt(graph, inputs.seed) ?? numberAt(graph, inputs.noise_seed),
    steps: numberAt(graph, inputs.steps),
    cfg: numberAt(graph, inputs.cfg),
    sampler_name: stringAt(graph, inputs.sampler_name),
    scheduler: stringAt(graph, inputs.scheduler),
    denoise: numberAt(graph, inputs.denoise),
    model: inputs.model ?? null,
    positive: inputs.positive ?? null,
    negative: inputs.negative ?? null,
    latent: inputs[LATENT_INPUT] ?? null,
  };
  if ('noise' in inputs) {
    // RandomNoise holds the seed; DisableNoise has none.
    const noise = inputNode(graph, node, 'noise');
    settings.seed ??= noise ? numberAt(graph, noise.node.inputs.noise_seed) : null;
  }
  if ('sampler' in inputs) {
    // KSamplerSelect names it; a dedicated sampler node (SamplerDPMPP_2M_SDE…) is its own name.
    const sampler = inputNode(graph, node, 'sampler');
    if (sampler) settings.sampler_name ??= stringAt(graph, sampler.node.inputs.sampler_name) ?? sampler.node.class_type;
  }
  if ('sigmas' in inputs) {
    const sigmas = readSigmas(graph, inputs.sigmas);
    settings.steps ??= sigmas.steps;
    settings.scheduler ??= sigmas.scheduler;
    settings.denoise ??= sigmas.denoise;
    settings.model ??= sigmas.model;
  }
  if ('guider' in inputs) {
    const guider = readGuider(graph, inputs.guider);
    settings.cfg ??= guider.cfg;
    settings.model ??= guider.model;
    settings.positive ??= guider.positive;
    settings.negative ??= guider.negative;
  }
  return settings;
}
