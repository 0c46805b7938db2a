import { isLink, type ComfyGraph } from '../workflow.ts';
import { linkedNode, MAX_DEPTH } from './follow-links.ts';
import { readLatentSource } from './latent-source.ts';
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

export interface InputSlot {
  node_id: string;
  input: string;
}

export type SlotMap = Partial<Record<SlotField, InputSlot[]>>;

const NUMBER_HOLDERS = ['value', 'seed', 'noise_seed', 'int', 'float', 'number', 'Number', 'steps', 'cfg'];
const STRING_HOLDERS = ['value', 'text', 'string', 'text_multiline', 'prompt', 'Text'];

/** Text inputs of the encoders the reader knows; every one of them gets the prompt. */
const ENCODER_TEXTS: Record<string, string[]> = {
  CLIPTextEncode: ['text'],
  CLIPTextEncodeSDXL: ['text_g', 'text_l'],
  CLIPTextEncodeSDXLRefiner: ['text'],
  CLIPTextEncodeFlux: ['t5xxl', 'clip_l'],
  CLIPTextEncodeSD3: ['t5xxl', 'clip_g', 'clip_l'],
  CLIPTextEncodeLumina2: ['user_prompt'],
  BNK_CLIPTextEncodeAdvanced: ['text'],
  smZ_CLIPTextEncode: ['text'],
};
const CONDITIONING_INPUTS = ['conditioning', 'conditioning_to', 'conditioning_1', 'cond', 'base_cond'];

/** The literal behind `node.inputs[input]`: on the node itself, or on the primitive it links to. */
function literalSlot(graph: ComfyGraph, nodeId: string, input: string, kind: 'number' | 'string', depth = 0): InputSlot | null {
  const value = graph[nodeId]?.inputs[input];
  if (value === undefined || depth > MAX_DEPTH) return null;
  if (!isLink(value)) return (kind === 'number' ? typeof value === 'number' : typeof value === 'string') ? { node_id: nodeId, input } : null;
  const source = linkedNode(graph, value);
  if (!source) return null;
  for (const name of kind === 'number' ? NUMBER_HOLDERS : STRING_HOLDERS) {
    if (name in source.node.inputs) {
      const found = literalSlot(graph, source.id, name, kind, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

function firstSlot(graph: ComfyGraph, nodeId: string | null | undefined, inputs: string[], kind: 'number' | 'string'): InputSlot | null {
  if (!nodeId) return null;
  for (const input of inputs) {
    const slot = literalSlot(graph, nodeId, input, kind);
    if (slot) return slot;
  }
  return null;
}

/** The text encoder(s) behind a conditioning input, through ControlNet / guidance / combine nodes. */
function promptSlots(graph: ComfyGraph, link: unknown): InputSlot[] {
  const slots: InputSlot[] = [];
  const seen = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    const source = depth > MAX_DEPTH ? null : linkedNode(graph, value);
    if (!source || seen.has(`${source.id}:${source.output}`) || slots.length) return;
    seen.add(`${source.id}:${source.output}`);
    const { id, node } = source;
    const known = ENCODER_TEXTS[node.class_type] ?? (/TextEncode|CLIPText/i.test(node.class_type) && 'clip' in node.inputs ? ['text', 'prompt'] : null);
    if (known) {
      for (const input of known) {
        const slot = literalSlot(graph, id, input, 'string');
        if (slot && !slots.some((s) => s.node_id === slot.node_id && s.input === slot.input)) slots.push(slot);
      }
      return;
    }
    if ('positive' in node.inputs && 'negative' in node.inputs) return visit(source.output === 1 ? node.inputs.negative : node.inputs.positive, depth + 1);
    for (const name of CONDITIONING_INPUTS) if (name in node.inputs) visit(node.inputs[name], depth + 1);
  };
  visit(link, 0);
  return slots;
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
