import type { ComfyGraph, ComfyNode } from '../workflow.ts';
import { linkedNode, MAX_DEPTH, type LinkedNode } from './follow-links.ts';
import { numberAt, stringAt } from './literal-values.ts';

/**
 * The prompt text behind a CONDITIONING input: the text encoder at the end of the
 * chain (CLIPTextEncode and its SDXL / SD3 / Flux variants, custom encoders that keep a
 * `text`), through the nodes that only adjust conditioning (FluxGuidance, ControlNet,
 * area / timestep / mask setters) and the ones that merge two (Combine, Concat, Average).
 */

/** Text inputs of the known encoders, in the order they are shown; equal texts are shown once. */
const ENCODER_TEXTS: Record<string, string[]> = {
  CLIPTextEncode: ['text'],
  CLIPTextEncodeSDXL: ['text_g', 'text_l'],
  CLIPTextEncodeSDXLRefiner: ['text'],
  CLIPTextEncodeFlux: ['t5xxl', 'clip_l'],
  CLIPTextEncodeSD3: ['t5xxl', 'clip_g', 'clip_l'],
  CLIPTextEncodeHunyuanDiT: ['mt5xl', 'bert'],
  CLIPTextEncodeHiDream: ['llama', 't5xxl', 'clip_g', 'clip_l'],
  CLIPTextEncodeLumina2: ['user_prompt'],
  TextEncodeHunyuanVideo_ImageToVideo: ['prompt'],
  TextEncodeQwenImageEdit: ['prompt'],
  BNK_CLIPTextEncodeAdvanced: ['text'],
  'CLIPTextEncode (NSP)': ['text'],
  ImpactWildcardEncode: ['populated_text', 'wildcard_text'],
  smZ_CLIPTextEncode: ['text'],
};

/** Text inputs a custom encoder we do not know probably uses. */
const GUESSED_TEXTS = ['text', 'prompt', 'positive', 'text_g', 't5xxl'];

/** Inputs that carry conditioning onwards; a merge node has two. */
const CONDITIONING_INPUTS = ['conditioning', 'conditioning_to', 'conditioning_from', 'conditioning_1', 'conditioning_2', 'cond', 'base_cond'];

export interface ConditioningReading {
  texts: string[];
  /** FluxGuidance's value on the way, when there is one. */
  guidance: number | null;
}

/** The text inputs of an encoder node: the known ones, or the guessed ones (first found wins); null for other nodes. */
export function encoderTextInputs(node: ComfyNode): { names: string[]; known: boolean } | null {
  const known = ENCODER_TEXTS[node.class_type];
  if (known) return { names: known, known: true };
  if (/TextEncode|CLIPText/i.test(node.class_type) && 'clip' in node.inputs) return { names: GUESSED_TEXTS, known: false };
  return null;
}

/**
 * The nodes a CONDITIONING input reaches, nearest first: adjusters and merges on the way
 * and the encoders at the ends. Nodes with a positive and a negative output
 * (ControlNetApplyAdvanced, InpaintModelConditioning…) are followed on the side the link
 * takes: output 0 is positive, output 1 negative. ConditioningZeroOut ends its branch: what
 * is behind it is erased, so its encoder is not this input's text.
 */
export function conditioningChain(graph: ComfyGraph, value: unknown): LinkedNode[] {
  const reached: LinkedNode[] = [];
  const seen = new Set<string>();
  const visit = (link: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    const source = linkedNode(graph, link);
    if (!source || seen.has(`${source.id}:${source.output}`)) return;
    seen.add(`${source.id}:${source.output}`);
    const { node } = source;
    if (node.class_type === 'ConditioningZeroOut') return;
    reached.push(source);
    if (encoderTextInputs(node)) return;
    if ('positive' in node.inputs && 'negative' in node.inputs) {
      visit(source.output === 1 ? node.inputs.negative : node.inputs.positive, depth + 1);
      return;
    }
    for (const name of CONDITIONING_INPUTS) if (name in node.inputs) visit(node.inputs[name], depth + 1);
  };
  visit(value, 0);
  return reached;
}

/** Reads the prompt texts (and Flux guidance) of the conditioning an input links to. */
export function readConditioning(graph: ComfyGraph, value: unknown): ConditioningReading {
  const texts: string[] = [];
  let guidance: number | null = null;
  for (const { node } of conditioningChain(graph, value)) {
    // FluxGuidance sets it on the way; CLIPTextEncodeFlux carries its own.
    if (node.class_type === 'FluxGuidance' || node.class_type === 'CLIPTextEncodeFlux') guidance ??= numberAt(graph, node.inputs.guidance);
    const encoder = encoderTextInputs(node);
    if (!encoder) continue;
    for (const name of encoder.names) {
      const text = stringAt(graph, node.inputs[name]);
      if (text !== null && text.trim() !== '' && !texts.includes(text)) texts.push(text);
      if (!encoder.known && text !== null) break;
    }
  }
  return { texts, guidance };
}
