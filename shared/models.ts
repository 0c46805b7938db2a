import Type from 'typebox';

/** The local library's model kinds (one folder root each). */
export const ModelKindSchema = Type.Union([
  Type.Literal('checkpoint'),
  Type.Literal('lora'),
  Type.Literal('vae'),
  Type.Literal('embedding'),
]);
export type ModelKind = Type.Static<typeof ModelKindSchema>;
export const MODEL_KINDS: readonly ModelKind[] = ['checkpoint', 'lora', 'vae', 'embedding'];

/**
 * Base model families used for filtering. `base_model_label` keeps Civitai's own
 * string ("SDXL 1.0", "Flux.1 D", …) when known.
 */
export const BASE_MODEL_FAMILIES = [
  'SD1', 'SD2', 'SDXL', 'Pony', 'Illustrious', 'NoobAI', 'Flux', 'SD3', 'SD3.5', 'Other', 'Unknown',
] as const;
export type BaseModelFamily = (typeof BASE_MODEL_FAMILIES)[number];

export const CivitaiLinkSchema = Type.Object({
  model_id: Type.Integer(),
  version_id: Type.Integer(),
  model_name: Type.Union([Type.String(), Type.Null()]),
  version_name: Type.Union([Type.String(), Type.Null()]),
  url: Type.String(),
  trained_words: Type.Array(Type.String()),
});
export type CivitaiLink = Type.Static<typeof CivitaiLinkSchema>;

export const ModelViewSchema = Type.Object({
  id: Type.Integer(),
  kind: ModelKindSchema,
  /** File name without extension: the name A1111/Forge show and a `<lora:name:w>` uses. */
  name: Type.String(),
  file_name: Type.String(),
  /** Path relative to the kind's root, with `/`. */
  rel_path: Type.String(),
  folder: Type.String(),
  size: Type.Integer(),
  modified_at: Type.String(),
  sha256: Type.Union([Type.String(), Type.Null()]),
  /** sha256[:10], the A1111 checkpoint short hash / Civitai AutoV2. */
  autov2: Type.Union([Type.String(), Type.Null()]),
  /** sha256 of the safetensors tensor data, first 12 hex (Civitai AutoV3). */
  autov3: Type.Union([Type.String(), Type.Null()]),
  hash_state: Type.Union([Type.Literal('pending'), Type.Literal('done'), Type.Literal('error')]),
  base_model: Type.String({ description: 'family: SD1, SD2, SDXL, Pony, Illustrious, NoobAI, Flux, SD3, SD3.5, Other, Unknown' }),
  base_model_label: Type.Union([Type.String(), Type.Null()]),
  base_model_source: Type.Union([Type.String(), Type.Null()]),
  civitai: Type.Union([CivitaiLinkSchema, Type.Null()]),
  civitai_status: Type.Union([Type.Literal('unknown'), Type.Literal('found'), Type.Literal('not_found'), Type.Literal('error')]),
  update_available: Type.Boolean(),
  latest_version_id: Type.Union([Type.Integer(), Type.Null()]),
  preview_url: Type.Union([Type.String(), Type.Null()]),
  has_user_metadata: Type.Boolean(),
  favourite: Type.Optional(Type.Boolean({ description: 'starred by the user (in library lists and GET /api/v1/models/:id)' })),
  collection_ids: Type.Optional(Type.Array(Type.Integer(), { description: 'the model collections it is in' })),
});
export type ModelView = Type.Static<typeof ModelViewSchema>;

export const HashingStateSchema = Type.Object({
  queued: Type.Integer(),
  current: Type.Union([Type.Object({
    model_id: Type.Integer(),
    name: Type.String(),
    bytes_done: Type.Number(),
    total_bytes: Type.Number(),
  }), Type.Null()]),
});

export const ScanStateSchema = Type.Object({
  scanning: Type.Boolean(),
  last_scan_at: Type.Union([Type.String(), Type.Null()]),
  last_scan_ms: Type.Union([Type.Number(), Type.Null()]),
  files: Type.Integer(),
  roots: Type.Array(Type.Object({ kind: ModelKindSchema, path: Type.String(), exists: Type.Boolean() })),
  hashing: HashingStateSchema,
});
export type ScanState = Type.Static<typeof ScanStateSchema>;

export const ModelListResponseSchema = Type.Object({
  items: Type.Array(ModelViewSchema),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  facets: Type.Object({
    kinds: Type.Record(Type.String(), Type.Integer()),
    base_models: Type.Record(Type.String(), Type.Integer()),
  }),
  scan: ScanStateSchema,
});
export type ModelListResponse = Type.Static<typeof ModelListResponseSchema>;

export const DownloadStatusSchema = Type.Union([
  Type.Literal('queued'),
  Type.Literal('active'),
  Type.Literal('paused'),
  Type.Literal('verifying'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type DownloadStatus = Type.Static<typeof DownloadStatusSchema>;
/** A download that has ended; every other one can still be paused, resumed or cancelled. */
export const FINISHED_DOWNLOAD_STATUSES: readonly DownloadStatus[] = ['completed', 'failed', 'cancelled'];
export const isDownloadFinished = (status: DownloadStatus): boolean => FINISHED_DOWNLOAD_STATUSES.includes(status);

export const DownloadViewSchema = Type.Object({
  id: Type.String(),
  status: DownloadStatusSchema,
  kind: ModelKindSchema,
  model_id: Type.Integer(),
  version_id: Type.Integer(),
  file_id: Type.Integer(),
  model_name: Type.Union([Type.String(), Type.Null()]),
  version_name: Type.Union([Type.String(), Type.Null()]),
  file_name: Type.String(),
  base_model: Type.Union([Type.String(), Type.Null()]),
  target_path: Type.String(),
  bytes_done: Type.Number(),
  total_bytes: Type.Union([Type.Number(), Type.Null()]),
  speed_bps: Type.Union([Type.Number(), Type.Null()]),
  eta_seconds: Type.Union([Type.Number(), Type.Null()]),
  error_code: Type.Union([Type.String(), Type.Null()]),
  error_message: Type.Union([Type.String(), Type.Null()]),
  /** Jobs parked in downloading_resources until this download lands. */
  job_ids: Type.Array(Type.String()),
  library_model_id: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
  completed_at: Type.Union([Type.String(), Type.Null()]),
});
export type DownloadView = Type.Static<typeof DownloadViewSchema>;

export interface DownloadProgress {
  id: string;
  bytes_done: number;
  total_bytes: number | null;
  speed_bps: number | null;
  eta_seconds: number | null;
}
