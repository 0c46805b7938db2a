/**
 * The parts of Civitai's public REST API v1 responses StableQueue reads.
 * Every field may be missing on some answer; code reads them defensively.
 */

export interface CivitaiFileHashes {
  AutoV1?: string;
  AutoV2?: string;
  AutoV3?: string;
  SHA256?: string;
  CRC32?: string;
  BLAKE3?: string;
}

export interface CivitaiFile {
  id: number;
  name: string;
  /** KiB, a float. */
  sizeKB?: number;
  type?: string;
  primary?: boolean;
  downloadUrl?: string;
  pickleScanResult?: string;
  virusScanResult?: string;
  metadata?: { format?: string; size?: string; fp?: string };
  hashes?: CivitaiFileHashes;
}

export interface CivitaiImage {
  id?: number;
  url: string;
  nsfwLevel?: number | string;
  width?: number;
  height?: number;
  type?: string;
  hash?: string;
  meta?: Record<string, unknown> | null;
}

export interface CivitaiVersion {
  id: number;
  modelId?: number;
  name?: string;
  description?: string | null;
  baseModel?: string;
  baseModelType?: string | null;
  trainedWords?: string[];
  nsfwLevel?: number;
  publishedAt?: string | null;
  earlyAccessEndsAt?: string | null;
  earlyAccessConfig?: unknown;
  availability?: string;
  stats?: { downloadCount?: number; thumbsUpCount?: number };
  files?: CivitaiFile[];
  images?: CivitaiImage[];
  downloadUrl?: string;
  air?: string;
  model?: { name?: string; type?: string; nsfw?: boolean; poi?: boolean; mode?: string | null };
}

export interface CivitaiModel {
  id: number;
  name: string;
  description?: string | null;
  type: string;
  nsfw?: boolean;
  tags?: string[];
  creator?: { username?: string; image?: string | null };
  stats?: Record<string, number>;
  allowCommercialUse?: unknown;
  allowDerivatives?: boolean;
  allowNoCredit?: boolean;
  modelVersions?: CivitaiVersion[];
}

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
