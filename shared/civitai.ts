/**
 * Civitai's model, version, file and image shapes (the parts of its public REST API v1
 * StableQueue reads), and the engine's Civitai browser answers built from them. Shared so
 * the engine that fetches them and the UI that shows them read the same fields. Every
 * Civitai field may be missing on some answer; code reads them defensively.
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

/** A Civitai model as /api/v1/civitai/models answers it: which of its versions the library holds. */
export interface CivitaiModelResult extends CivitaiModel {
  installed_version_ids: number[];
}

/** GET /api/v1/civitai/models: one page of models and the cursor of the next (null at the end). */
export interface CivitaiSearchResponse {
  items: CivitaiModelResult[];
  next_cursor: string | null;
}
