import type { ComfyGraph } from '../workflow.ts';
import { linkedNode, MAX_DEPTH } from './follow-links.ts';
import { readLatentSource } from './latent-source.ts';
import { literalSlot, type InputSlot } from './literal-values.ts';
import { conditioningChain, encoderTextInputs } from './prompt-text.ts';
import { readWorkflow } from './read-workflow.ts';
import { LATENT_INPUT } from './sampler-settings.ts';

/**
 * Where a workflow keeps each value the generate form sets: the node and input that hold
 * the positive prompt, the seed, the size… found along the same links the graph reader
 * follows from the base sampler. A value shown on a widget turned into an input lives on
 * the primitive node it links to, so that node's input is the slot. Pure: reads only.
 */

/** The flat generation fields a workflow can take, as GenerationParams names them. */
export const SLOT_FIELDS = [
  'positive_prompt', 'negative_prompt', 'seed', 'steps', 'cfg_scale', 'sampler_name', 'scheduler',
  'denoising_strength', 'width', 'height', 'batch_size', 'checkpoint_name',
] as const;
export type SlotField = (typeof SLOT_FIELDS)[number];
export type { InputSlot };

export type SlotMap = Partial<Record<SlotField, InputSlot[]>>;

function firstSlot(graph: ComfyGraph, nodeId: string | null | undefined, inputs: string[], kind: 'number' | 'string'): InputSlot | null {
  if (!nodeId) return null;
  for (const input of inputs) {
    const slot = literalSlot(graph, nodeId, input, kind);
    if (slot) return slot;
  }
  return null;
}

/**
 * The text inputs of the first encoder behind a conditioning input that holds its text as
 * a literal: the same walk and encoder table the reader uses, so a template writes the
 * prompt where the reading found it.
 */
function promptSlots(graph: ComfyGraph, link: unknown): InputSlot[] {
  for (const { id, node } of conditioningChain(graph, link)) {
    const encoder = encoderTextInputs(node);
    if (!encoder) continue;
    const slots: InputSlot[] = [];
    for (const input of encoder.names) {
      const slot = literalSlot(graph, id, input, 'string');
      if (slot && !slots.some((s) => s.node_id === slot.node_id && s.input === slot.input)) slots.push(slot);
      if (slot && !encoder.known) break;
    }
    if (slots.length) return slots;
  }
  return [];
}

/** The loader at the end of the MODEL chain (past LoRAs and patches). */
function checkpointSlot(graph: ComfyGraph, link: unknown): InputSlot | null {
  let value = link;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const source = linkedNode(graph, value);
    if (!source) return null;
    for (const input of ['ckpt_name', 'unet_name']) {
      const slot = literalSlot(graph, source.id, input, 'string');
      if (slot) return slot;
    }
    value = source.node.inputs.model ?? source.node.inputs.base_model;
  }
  return null;
}

/** The node that sets the starting latent's size (EmptyLatentImage and kin), by the reader's path. */
function latentSizeNode(graph: ComfyGraph, link: unknown): string | null {
  let value = link;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const source = linkedNode(graph, value);
    if (!source) return null;
    if ('width' in source.node.inputs && 'height' in source.node.inputs) return source.id;
    const next = ['samples', 'latent', 'latent_image', 'pixels', 'image'].find((name) => linkedNode(graph, source.node.inputs[name]));
    if (!next) return null;
    value = source.node.inputs[next];
  }
  return null;
}

/** The LoadImage node a sampler's latent is encoded from (img2img, inpainting), by the reader's path. */
export function initImageSlot(graph: ComfyGraph): InputSlot | null {
  const samplerId = readWorkflow(graph).sampler_node;
  let value = samplerId ? graph[samplerId]!.inputs[LATENT_INPUT] : undefined;
  for (let depth = 0; depth < MAX_DEPTH && value !== undefined; depth++) {
    const source = linkedNode(graph, value);
    if (!source) return null;
    if (/^LoadImage/.test(source.node.class_type) && typeof source.node.inputs.image === 'string') return { node_id: source.id, input: 'image' };
    const next = ['samples', 'latent', 'latent_image', 'pixels', 'image', 'images', 'source'].find((name) => linkedNode(graph, source.node.inputs[name]));
    if (!next) return null;
    value = source.node.inputs[next];
  }
  return null;
}

export function findInputSlots(graph: ComfyGraph): SlotMap {
  const samplerId = readWorkflow(graph).sampler_node;
  if (!samplerId) return {};
  const sampler = graph[samplerId]!;
  const linked = (input: string) => linkedNode(graph, sampler.inputs[input]);
  const noise = linked('noise');
  const sigmas = linked('sigmas');
  const guider = linked('guider');
  const samplerSelect = linked('sampler');
  const slots: SlotMap = {};
  const put = (field: SlotField, found: InputSlot | InputSlot[] | null) => {
    const list = Array.isArray(found) ? found : found ? [found] : [];
    if (list.length) slots[field] = list;
  };
  put('seed', firstSlot(graph, samplerId, ['seed', 'noise_seed'], 'number') ?? firstSlot(graph, noise?.id, ['noise_seed'], 'number'));
  put('steps', firstSlot(graph, samplerId, ['steps'], 'number') ?? firstSlot(graph, sigmas?.id, ['steps'], 'number'));
  put('cfg_scale', firstSlot(graph, samplerId, ['cfg'], 'number') ?? firstSlot(graph, guider?.id, ['cfg'], 'number'));
  put('sampler_name', firstSlot(graph, samplerId, ['sampler_name'], 'string') ?? firstSlot(graph, samplerSelect?.id, ['sampler_name'], 'string'));
  put('scheduler', firstSlot(graph, samplerId, ['scheduler'], 'string') ?? firstSlot(graph, sigmas?.id, ['scheduler'], 'string'));
  put('denoising_strength', firstSlot(graph, samplerId, ['denoise'], 'number') ?? firstSlot(graph, sigmas?.id, ['denoise'], 'number'));
  const positive = sampler.inputs.positive ?? guider?.node.inputs.positive ?? guider?.node.inputs.conditioning;
  const negative = sampler.inputs.negative ?? guider?.node.inputs.negative;
  put('positive_prompt', promptSlots(graph, positive));
  if (negative !== undefined) put('negative_prompt', promptSlots(graph, negative));
  const sizeNode = latentSizeNode(graph, sampler.inputs[LATENT_INPUT]);
  if (sizeNode && readLatentSource(graph, sampler.inputs[LATENT_INPUT]).init_image === null) {
    put('width', literalSlot(graph, sizeNode, 'width', 'number'));
    put('height', literalSlot(graph, sizeNode, 'height', 'number'));
    put('batch_size', literalSlot(graph, sizeNode, 'batch_size', 'number'));
  }
  put('checkpoint_name', checkpointSlot(graph, sampler.inputs.model ?? guider?.node.inputs.model ?? sigmas?.node.inputs.model));
  return slots;
}
