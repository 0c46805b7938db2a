/** Names the UI shows for model kinds and Civitai's filters. */
import type { ModelKind } from '../../../shared/models.ts';

export const CIVITAI_TYPES = [
  { value: 'Checkpoint', label: 'Checkpoint' },
  { value: 'LORA', label: 'LoRA' },
  { value: 'LoCon', label: 'LyCORIS' },
  { value: 'DoRA', label: 'DoRA' },
  { value: 'TextualInversion', label: 'Embedding' },
  { value: 'VAE', label: 'VAE' },
] as const;

export const CIVITAI_BASE_MODELS = ['SD 1.5', 'SDXL 1.0', 'Pony', 'Illustrious', 'NoobAI', 'Flux.1 D', 'Flux.1 S', 'SD 3.5 Large'] as const;

export const CIVITAI_SORTS = ['Highest Rated', 'Most Downloaded', 'Most Liked', 'Most Collected', 'Newest', 'Oldest'] as const;

export const KIND_LABELS: Record<ModelKind, string> = { checkpoint: 'Checkpoint', lora: 'LoRA', vae: 'VAE', embedding: 'Embedding' };
