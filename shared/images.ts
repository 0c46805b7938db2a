import Type from 'typebox';

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

/** A gallery image: served by database id, never by a path from the request. */
export const GalleryImageSchema = Type.Object({
  id: Type.Integer(),
  job_id: Type.String(),
  index: Type.Integer(),
  kind: ImageKindSchema,
  server_alias: Type.Union([Type.String(), Type.Null()]),
  app_type: Type.String(),
  checkpoint: Type.Union([Type.String(), Type.Null()]),
  positive_prompt: Type.String(),
  seed: Type.Union([Type.Number(), Type.Null()]),
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
  bytes: Type.Integer(),
  created_at: Type.String(),
  infotext: Type.Union([Type.String(), Type.Null()]),
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
