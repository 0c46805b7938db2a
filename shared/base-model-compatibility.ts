import type { BaseModelFamily } from './models.ts';

/**
 * Which base models' LoRAs, VAEs and embeddings work together. Pony, Illustrious and
 * NoobAI are SDXL fine-tunes (their LoRAs load on SDXL and each other, with style drift,
 * so no warning); SD1, SD2, SDXL, Flux and SD3 are separate architectures whose add-ons
 * fail to load or do nothing on another. Other/Unknown never warn: too little is known.
 */
export type Architecture = 'sd1' | 'sd2' | 'sdxl' | 'flux' | 'sd3' | null;

export const ARCHITECTURE: Record<BaseModelFamily, Architecture> = {
  SD1: 'sd1', SD2: 'sd2', SDXL: 'sdxl', Pony: 'sdxl', Illustrious: 'sdxl', NoobAI: 'sdxl',
  Flux: 'flux', SD3: 'sd3', 'SD3.5': 'sd3', Other: null, Unknown: null,
};

export interface AddOn {
  kind: 'lora' | 'vae' | 'embedding';
  name: string;
  base_model: BaseModelFamily;
}

export interface CompatibilityWarning {
  kind: AddOn['kind'];
  name: string;
  base_model: BaseModelFamily;
  checkpoint_base_model: BaseModelFamily;
  message: string;
}

const KIND_LABEL: Record<AddOn['kind'], string> = { lora: 'LoRA', vae: 'VAE', embedding: 'Embedding' };

/** The add-ons whose base model does not fit the checkpoint's, each with a sentence for the user. */
export function compatibilityWarnings(checkpoint: { name: string; base_model: BaseModelFamily }, addOns: AddOn[]): CompatibilityWarning[] {
  const target = ARCHITECTURE[checkpoint.base_model];
  if (!target) return [];
  return addOns.flatMap((addOn) => {
    const arch = ARCHITECTURE[addOn.base_model];
    if (!arch || arch === target) return [];
    return [{
      kind: addOn.kind, name: addOn.name, base_model: addOn.base_model, checkpoint_base_model: checkpoint.base_model,
      message: `${KIND_LABEL[addOn.kind]} "${addOn.name}" is made for ${addOn.base_model}, but the checkpoint "${checkpoint.name}" is ${checkpoint.base_model}: it will not load or will have no effect.`,
    }];
  });
}
