import Type from 'typebox';
import { ModelViewSchema } from './models.ts';

/**
 * Duplicates in the library: the same file (same SHA256) at several paths, and Civitai
 * models kept in more than one version (the newest first). Also what a download would
 * duplicate, answered before any byte is transferred.
 */
export const DuplicatesResponseSchema = Type.Object({
  same_hash: Type.Array(Type.Object({ sha256: Type.String(), models: Type.Array(ModelViewSchema) })),
  older_versions: Type.Array(Type.Object({
    civitai_model_id: Type.Integer(),
    model_name: Type.Union([Type.String(), Type.Null()]),
    newest: ModelViewSchema,
    older: Type.Array(ModelViewSchema),
  })),
});
export type DuplicatesResponse = Type.Static<typeof DuplicatesResponseSchema>;

export const DownloadCheckBodySchema = Type.Object({
  version_id: Type.Integer({ minimum: 1 }),
  file_id: Type.Optional(Type.Integer({ minimum: 1, description: 'files[].id; default: the primary file' })),
}, { additionalProperties: false });

export const DownloadCheckSchema = Type.Object({
  version_id: Type.Integer(),
  file_id: Type.Integer(),
  file_name: Type.String(),
  sha256: Type.Union([Type.String(), Type.Null()]),
  /** The very file is already in the library (same SHA256): skip the download. */
  same_file: Type.Union([ModelViewSchema, Type.Null()]),
  /** Files of the same Civitai version already in the library (another file of it, or not hashed yet). */
  same_version: Type.Array(ModelViewSchema),
  /** Other versions of the same Civitai model in the library. */
  other_versions: Type.Array(ModelViewSchema),
  /** What the UI should offer: skip (already there), ask (a near duplicate), or download. */
  advice: Type.Union([Type.Literal('skip'), Type.Literal('ask'), Type.Literal('download')]),
  message: Type.String(),
});
export type DownloadCheck = Type.Static<typeof DownloadCheckSchema>;
