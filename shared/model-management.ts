import Type from 'typebox';
import { ModelKindSchema, ModelViewSchema } from './models.ts';

/**
 * Managing library files: a deleted model waiting in the trash (restorable), and the
 * answers of delete, restore and rename/move.
 */
export const TrashEntrySchema = Type.Object({
  id: Type.Integer(),
  model_id: Type.Integer({ description: 'the library id it had (kept on restore unless taken)' }),
  kind: ModelKindSchema,
  rel_path: Type.String({ description: 'where it was, under its library folder' }),
  name: Type.String(),
  size: Type.Integer(),
  files: Type.Array(Type.String(), { description: 'the model file and the sidecars moved with it' }),
  deleted_at: Type.String({ format: 'date-time' }),
});
export type TrashEntry = Type.Static<typeof TrashEntrySchema>;

export const TrashListSchema = Type.Object({ items: Type.Array(TrashEntrySchema) });
export type TrashList = Type.Static<typeof TrashListSchema>;

export const RenameModelBodySchema = Type.Object({
  rel_path: Type.String({ minLength: 1, maxLength: 1024, description: 'new path under the same library folder, extension unchanged' }),
}, { additionalProperties: false });

export const RenameModelResponseSchema = Type.Object({
  model: ModelViewSchema,
  rewritten_jobs: Type.Array(Type.String(), { description: 'queued jobs whose model name was updated to the new path' }),
});
export type RenameModelResponse = Type.Static<typeof RenameModelResponseSchema>;
