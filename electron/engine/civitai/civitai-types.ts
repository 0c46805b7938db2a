/**
 * The Civitai REST API v1 client's request parameters, paging and enums. The model, version,
 * file and image shapes live in shared/ (the UI reads them too) and are re-exported here.
 */

export type { CivitaiFile, CivitaiFileHashes, CivitaiImage, CivitaiModel, CivitaiVersion } from '../../../shared/civitai.ts';

export interface CivitaiPage<T> {
  items: T[];
  metadata?: { nextCursor?: string | number; nextPage?: string; currentPage?: number; pageSize?: number; totalItems?: number };
}

export interface CivitaiHashId {
  modelVersionId: number;
  modelId: number;
  hash: string;
}

/** GET /models parameters. */
export interface CivitaiSearchParams {
  limit?: number;
  cursor?: string;
  query?: string;
  ids?: number[];
  tag?: string;
  username?: string;
  types?: string[];
  baseModels?: string[];
  checkpointType?: string;
  sort?: string;
  period?: string;
  nsfw?: boolean;
  primaryFileOnly?: boolean;
  supportsGeneration?: boolean;
  earlyAccess?: boolean;
}

export interface CivitaiImageParams {
  limit?: number;
  cursor?: string;
  imageId?: number;
  modelId?: number;
  modelVersionId?: number;
  postId?: number;
  username?: string;
  sort?: string;
  nsfw?: string | boolean;
  withMeta?: boolean;
}

export const CIVITAI_MODEL_TYPES = [
  'Checkpoint', 'TextualInversion', 'Hypernetwork', 'AestheticGradient', 'LORA', 'LoCon', 'DoRA', 'Controlnet',
  'Upscaler', 'MotionModule', 'VAE', 'Poses', 'Wildcards', 'Workflows', 'Detection', 'Other',
] as const;

export const CIVITAI_SORTS = [
  'Highest Rated', 'Most Downloaded', 'Most Liked', 'Most Discussed', 'Most Collected', 'Most Images', 'Newest', 'Oldest',
] as const;

export const CIVITAI_PERIODS = ['AllTime', 'Year', 'Month', 'Week', 'Day'] as const;
