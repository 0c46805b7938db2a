import Type, { type TSchema } from 'typebox';

/**
 * What a saved image is: a result of the job, or an extra the server returned with the
 * results and the job asked to keep (`keep_extra_images`): the grid of a batch, or an
 * extension's detected map (ControlNet). Extras stay out of the gallery unless asked for.
 */
export const ImageKindSchema = Type.Union([Type.Literal('result'), Type.Literal('grid'), Type.Literal('control_map')]);
export type ImageKind = Type.Static<typeof ImageKindSchema>;
export const IMAGE_KINDS: readonly ImageKind[] = ['result', 'grid', 'control_map'];

/** The gallery list's `kind` filter: one kind, or 'all'; results only when absent. */
export const GalleryKindFilterSchema = Type.Union([ImageKindSchema, Type.Literal('all')], {
  description: 'which images: results (default), grids, detected maps, or all',
});
export type GalleryKindFilter = Type.Static<typeof GalleryKindFilterSchema>;

/** The kinds a gallery filter selects. */
export const kindsOf = (filter: GalleryKindFilter | undefined): readonly ImageKind[] =>
  filter === 'all' ? IMAGE_KINDS : [filter ?? 'result'];

/** A LoRA an image was made with, as read from its metadata or its job. */
export const ImageLoraSchema = Type.Object({ name: Type.String(), weight: Type.Number() });
export type ImageLora = Type.Static<typeof ImageLoraSchema>;

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * A gallery image: served by database id, never by a path from the request. StableQueue's
 * own outputs and images indexed in place from a gallery source share one shape and one
 * id space, so every image route works on both.
 */
export const GalleryImageSchema = Type.Object({
  id: Type.Integer(),
  /** The job that made it; null for an image indexed from a gallery source. */
  job_id: nullable(Type.String()),
  /** The gallery source it was indexed from; null for StableQueue's own outputs. */
  source_id: nullable(Type.Integer()),
  /** Its path relative to the source's folder, for display; null for StableQueue's own outputs. */
  source_path: nullable(Type.String()),
  index: Type.Integer(),
  kind: ImageKindSchema,
  server_alias: nullable(Type.String()),
  app_type: Type.String({ description: 'forge | comfyui for jobs; for indexed images the tool that wrote the metadata (a1111, comfyui, invokeai, swarmui) or "unknown"' }),
  checkpoint: nullable(Type.String()),
  checkpoint_hash: nullable(Type.String()),
  positive_prompt: Type.String(),
  negative_prompt: nullable(Type.String()),
  seed: nullable(Type.Number()),
  sampler: nullable(Type.String()),
  scheduler: nullable(Type.String()),
  steps: nullable(Type.Integer()),
  cfg_scale: nullable(Type.Number()),
  width: nullable(Type.Integer()),
  height: nullable(Type.Integer()),
  loras: Type.Array(ImageLoraSchema),
  bytes: Type.Integer(),
  created_at: Type.String(),
  infotext: nullable(Type.String()),
  /** 0 = unrated, else 1–5. */
  rating: Type.Integer({ minimum: 0, maximum: 5 }),
  favourite: Type.Boolean(),
  note: nullable(Type.String()),
  collection_ids: Type.Array(Type.Integer()),
  /**
   * What fills the Generate form ("use these settings", "send to img2img"): the
   * generation fields read from the image, in the job request's shape (positive_prompt,
   * negative_prompt, checkpoint_name, seed, steps, cfg_scale, sampler_name, scheduler,
   * width, height, loras; `workflow` for a ComfyUI graph).
   */
  settings: Type.Record(Type.String(), Type.Unknown()),
  filename: Type.String({ description: 'the saved file\'s name: GET /gallery_files/:filename serves it, DELETE /api/v1/gallery/images/:filename deletes it' }),
  download_url: Type.String(),
  thumbnail_url: Type.String(),
});
export type GalleryImage = Type.Static<typeof GalleryImageSchema>;

export const GalleryPageSchema = Type.Object({
  images: Type.Array(GalleryImageSchema),
  /** Opaque cursor for the next page (keyset paging stays fast at 100k images). */
  next_cursor: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer(),
});
export type GalleryPage = Type.Static<typeof GalleryPageSchema>;

export const GallerySortSchema = Type.Union([Type.Literal('newest'), Type.Literal('oldest'), Type.Literal('rating'), Type.Literal('random')]);
export type GallerySort = Type.Static<typeof GallerySortSchema>;

/** The gallery filter: GET /api/v1/gallery/images and /facets take it as the query; bulk takes it as `filter`. */
export const GalleryFilterSchema = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 500, description: 'full-text over prompt and negative prompt: words, "a phrase", prefix*' })),
  checkpoint: Type.Optional(Type.String({ maxLength: 1024 })),
  lora: Type.Optional(Type.String({ maxLength: 512 })),
  sampler: Type.Optional(Type.String({ maxLength: 128 })),
  size: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}x[0-9]{1,5}$', description: 'WxH, e.g. 832x1216' })),
  server: Type.Optional(Type.String({ maxLength: 64 })),
  source: Type.Optional(Type.String({ pattern: '^([0-9]{1,9}|stablequeue)$', description: 'a gallery source id, or "stablequeue" for StableQueue\'s own outputs' })),
  rating_min: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  favourite: Type.Optional(Type.Boolean()),
  collection: Type.Optional(Type.Integer({ minimum: 1 })),
  from: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive' })),
  job_id: Type.Optional(Type.String({ format: 'uuid' })),
  kind: Type.Optional(GalleryKindFilterSchema),
}, { additionalProperties: false });
export type GalleryFilter = Type.Static<typeof GalleryFilterSchema>;

/** GET /api/v1/gallery/images: the filter plus order and paging. */
export const GalleryListQuerySchema = Type.Object({
  ...GalleryFilterSchema.properties,
  sort: Type.Optional(GallerySortSchema),
  random_seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'sort=random: the same seed gives the same order, so pages stay stable' })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 60 })),
}, { additionalProperties: false });
export type GalleryListQuery = Type.Static<typeof GalleryListQuerySchema>;

export const FacetCountSchema = Type.Object({ value: Type.String(), count: Type.Integer() });
export type FacetCount = Type.Static<typeof FacetCountSchema>;

/** GET /api/v1/gallery/facets (same filter query): how many matching images have each value. */
export const GalleryFacetsSchema = Type.Object({
  /** One name per model: `x.safetensors` and `x` count together. */
  checkpoints: Type.Array(FacetCountSchema),
  loras: Type.Array(FacetCountSchema),
  samplers: Type.Array(FacetCountSchema),
  /** "WxH" values. */
  sizes: Type.Array(FacetCountSchema),
  servers: Type.Array(FacetCountSchema),
  /** value = source id or "stablequeue"; label = the source's label. */
  sources: Type.Array(Type.Object({ value: Type.String(), label: Type.String(), count: Type.Integer() })),
  /** value = "0".."5". */
  ratings: Type.Array(FacetCountSchema),
});
export type GalleryFacets = Type.Static<typeof GalleryFacetsSchema>;

/** PATCH /api/v1/images/:id → the image. */
export const ImagePatchSchema = Type.Object({
  rating: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
  favourite: Type.Optional(Type.Boolean()),
  note: Type.Optional(nullable(Type.String({ maxLength: 4000 }))),
}, { additionalProperties: false, minProperties: 1 });
export type ImagePatch = Type.Static<typeof ImagePatchSchema>;

export const GalleryBulkActionSchema = Type.Union([
  Type.Literal('rate'), Type.Literal('favourite'), Type.Literal('unfavourite'),
  Type.Literal('add_to_collection'), Type.Literal('remove_from_collection'), Type.Literal('delete'),
]);
export type GalleryBulkAction = Type.Static<typeof GalleryBulkActionSchema>;

/** POST /api/v1/gallery/bulk: explicit ids, or every image the filter matches ("select all matching"). */
export const GalleryBulkRequestSchema = Type.Object({
  ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100_000 })),
  filter: Type.Optional(GalleryFilterSchema),
  action: GalleryBulkActionSchema,
  params: Type.Optional(Type.Object({
    rating: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
    collection_id: Type.Optional(Type.Integer({ minimum: 1 })),
    /** delete: also delete files of indexed outside folders (StableQueue's own always go to the trash). */
    delete_files: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type GalleryBulkRequest = Type.Static<typeof GalleryBulkRequestSchema>;
export const GalleryBulkResultSchema = Type.Object({ matched: Type.Integer(), changed: Type.Integer() });
export type GalleryBulkResult = Type.Static<typeof GalleryBulkResultSchema>;

/** A collection: GET/POST /api/v1/gallery/collections, PATCH/DELETE /api/v1/gallery/collections/:id. */
export const GalleryCollectionSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  image_count: Type.Integer(),
  cover_image_id: nullable(Type.Integer()),
});
export type GalleryCollection = Type.Static<typeof GalleryCollectionSchema>;
export const GalleryCollectionInputSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
}, { additionalProperties: false });
export type GalleryCollectionInput = Type.Static<typeof GalleryCollectionInputSchema>;

/** POST /api/v1/gallery/download → a streamed application/zip of the original files. */
export const GalleryDownloadRequestSchema = Type.Object({
  ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10_000 }),
}, { additionalProperties: false });
export type GalleryDownloadRequest = Type.Static<typeof GalleryDownloadRequestSchema>;

export const GallerySourceStateSchema = Type.Union([
  Type.Literal('indexing'), Type.Literal('watching'), Type.Literal('error'), Type.Literal('missing'),
]);
export type GallerySourceState = Type.Static<typeof GallerySourceStateSchema>;

/** A folder indexed in place (never moved or copied): GET/POST /api/v1/gallery/sources. */
export const GallerySourceSchema = Type.Object({
  id: Type.Integer(),
  path: Type.String(),
  label: Type.String(),
  state: GallerySourceStateSchema,
  /** Files read so far in this scan, and files found. */
  indexed: Type.Integer(),
  total: Type.Integer(),
  error: nullable(Type.String()),
});
export type GallerySource = Type.Static<typeof GallerySourceSchema>;
export const GallerySourceInputSchema = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 4096 }),
  label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
}, { additionalProperties: false });
export type GallerySourceInput = Type.Static<typeof GallerySourceInputSchema>;

/** An image in the trash: GET /api/v1/gallery/trash; restore with POST …/trash/:id/restore, purge with DELETE …/trash/:id (id = the image id). */
export const GalleryTrashItemSchema = Type.Object({
  image: GalleryImageSchema,
  deleted_at: Type.String(),
  /** When the file is purged for good. */
  purge_at: Type.String(),
  /** false for an outside file that was only hidden (its file stays where it is). */
  file_in_trash: Type.Boolean(),
});
export type GalleryTrashItem = Type.Static<typeof GalleryTrashItemSchema>;
export const GalleryTrashListSchema = Type.Object({ items: Type.Array(GalleryTrashItemSchema), total: Type.Integer() });
export type GalleryTrashList = Type.Static<typeof GalleryTrashListSchema>;
