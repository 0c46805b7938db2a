import Type from 'typebox';

/** A gallery image: served by database id, never by a path from the request. */
export const GalleryImageSchema = Type.Object({
  id: Type.Integer(),
  job_id: Type.String(),
  index: Type.Integer(),
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
