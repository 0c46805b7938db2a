import type { BaseModelFamily, ModelKind } from '../../../../shared/models.ts';
import type { TensorInfo } from '../safetensors/header.ts';
import { FAMILY_LABELS, familyFromCivitai } from '../../../../shared/base-model-families.ts';

export interface BaseModelGuess {
  family: BaseModelFamily;
  label: string | null;
  source: 'civitai' | 'modelspec' | 'kohya' | 'tensors' | 'name' | null;
}

export interface DetectInput {
  kind: ModelKind;
  fileName: string;
  civitaiBaseModel?: string | null;
  metadata?: Record<string, string> | null;
  tensors?: Map<string, TensorInfo> | null;
  /** The tensor verdict computed earlier (kept in the database instead of the whole header). */
  tensorFamily?: BaseModelFamily | null;
}

/** Pony, Illustrious and NoobAI are SDXL fine-tunes: their names tell them apart. */
function sdxlFlavour(text: string): BaseModelFamily | null {
  const t = text.toLowerCase();
  if (/pony/.test(t)) return 'Pony';
  if (/noob/.test(t)) return 'NoobAI';
  if (/illustrious|(^|[^a-z])il(xl|_xl|-xl)|(^|[^a-z])ilxl/.test(t)) return 'Illustrious';
  return null;
}

/** Name hints, weakest evidence. */
export function familyFromName(name: string): BaseModelFamily | null {
  const n = name.toLowerCase();
  const flavour = sdxlFlavour(n);
  if (flavour) return flavour;
  if (/flux/.test(n)) return 'Flux';
  if (/sd3\.5|sd35|sd_3\.5|sd3-5/.test(n)) return 'SD3.5';
  if (/(^|[^a-z0-9])sd3([^0-9.]|$)/.test(n)) return 'SD3';
  if (/sdxl|(^|[^a-z])xl([^a-z]|$)|xl_|_xl|xl-|-xl/.test(n)) return 'SDXL';
  if (/sd[-_ ]?2[._]?[01]|v2-1|768-v/.test(n)) return 'SD2';
  if (/sd[-_ ]?1[._]?5|sd15|v1-5|(^|[^0-9])1\.5([^0-9]|$)/.test(n)) return 'SD1';
  return null;
}

function fromModelspec(arch: string): BaseModelFamily | null {
  const a = arch.toLowerCase();
  if (a.startsWith('stable-diffusion-xl')) return 'SDXL';
  if (a.startsWith('stable-diffusion-v3.5') || a.startsWith('stable-diffusion-v3-5')) return 'SD3.5';
  if (a.startsWith('stable-diffusion-v3')) return 'SD3';
  if (a.startsWith('stable-diffusion-v2')) return 'SD2';
  if (a.startsWith('stable-diffusion-v1')) return 'SD1';
  if (a.startsWith('flux')) return 'Flux';
  return null;
}

function fromKohya(meta: Record<string, string>): BaseModelFamily | null {
  const v = (meta.ss_base_model_version ?? '').toLowerCase();
  if (v.startsWith('sdxl')) return 'SDXL';
  if (v.startsWith('sd_v2') || v.startsWith('sd2')) return 'SD2';
  if (v.startsWith('sd_v1') || v.startsWith('sd1')) return 'SD1';
  if (v.startsWith('flux')) return 'Flux';
  if (v.startsWith('sd3')) return 'SD3';
  if (meta.ss_v2 === 'True') return 'SD2';
  if (meta.ss_v2 === 'False' && meta.ss_network_module && !v) return 'SD1';
  return null;
}

function dim(tensors: Map<string, TensorInfo>, name: string, axis: number): number | null {
  return tensors.get(name)?.shape[axis] ?? null;
}

/** Architecture from tensor names and shapes (checkpoints, LoRAs, VAEs, embeddings). */
export function familyFromTensors(kind: ModelKind, tensors: Map<string, TensorInfo>): BaseModelFamily | null {
  const names = [...tensors.keys()];
  const has = (re: RegExp) => names.some((n) => re.test(n));
  if (kind === 'embedding') {
    if (tensors.has('clip_g')) return 'SDXL';
    const vec = tensors.get('emb_params') ?? [...tensors.entries()].find(([n]) => n.startsWith('string_to_param'))?.[1];
    const width = vec?.shape[vec.shape.length - 1];
    if (width === 768) return 'SD1';
    if (width === 1024) return 'SD2';
    return null;
  }
  if (kind === 'vae') {
    const channels = dim(tensors, 'decoder.conv_in.weight', 1);
    if (channels === 16) return 'Flux';
    return null;
  }
  if (has(/double_blocks|single_transformer_blocks|single_blocks[._]/)) return 'Flux';
  if (has(/joint_blocks/)) return 'SD3';
  if (has(/^conditioner\.embedders\.1|lora_te2_|text_encoder_2\.|lora_unet_input_blocks_[0-9]+_1_transformer_blocks_[1-9]/)) return 'SDXL';
  if (has(/^cond_stage_model\.model\.transformer/)) return 'SD2';
  if (has(/^cond_stage_model\.transformer/)) return 'SD1';
  const te = names.find((n) => /^lora_te_text_model_encoder_layers_0_mlp_fc1\.lora_down\.weight$/.test(n));
  if (te) {
    const width = dim(tensors, te, 1);
    if (width === 1024) return 'SD2';
    if (width === 768) return 'SD1';
  }
  if (has(/^lora_unet_down_blocks_|^lora_unet_up_blocks_/)) {
    // kohya SD1/SD2 LoRA with diffusers-style UNet names; cross-attention width tells.
    const k = names.find((n) => /attn2_to_k\.lora_down\.weight$/.test(n));
    const width = k ? dim(tensors, k, 1) : null;
    if (width === 1024) return 'SD2';
    if (width === 768) return 'SD1';
    if (width === 2048) return 'SDXL';
    return 'SD1';
  }
  return null;
}

/**
 * The base model, strongest evidence first: Civitai's `baseModel`, then the safetensors
 * header (`modelspec.architecture`, kohya `ss_base_model_version`), tensor names and
 * shapes, and finally name hints. An SDXL result is refined to Pony/Illustrious/NoobAI
 * from the name, title or training base.
 */
export function detectBaseModel(input: DetectInput): BaseModelGuess {
  const civitai = familyFromCivitai(input.civitaiBaseModel);
  if (civitai) return { family: civitai, label: input.civitaiBaseModel!.trim(), source: 'civitai' };
  const meta = input.metadata ?? {};
  const hints = [input.fileName, meta['modelspec.title'] ?? '', meta.ss_sd_model_name ?? '', meta.ss_output_name ?? ''].join(' ');
  const refine = (family: BaseModelFamily): BaseModelFamily => (family === 'SDXL' ? sdxlFlavour(hints) ?? family : family);
  const result = (family: BaseModelFamily, source: BaseModelGuess['source']): BaseModelGuess => {
    const f = refine(family);
    return { family: f, label: FAMILY_LABELS[f], source };
  };
  const arch = meta['modelspec.architecture'];
  const spec = arch ? fromModelspec(arch) : null;
  if (spec) return result(spec, 'modelspec');
  const kohya = fromKohya(meta);
  if (kohya) return result(kohya, 'kohya');
  const tensors = input.tensorFamily ?? (input.tensors ? familyFromTensors(input.kind, input.tensors) : null);
  if (tensors) return result(tensors, 'tensors');
  const named = familyFromName(hints);
  if (named) return { family: named, label: FAMILY_LABELS[named], source: 'name' };
  return { family: 'Unknown', label: null, source: null };
}
