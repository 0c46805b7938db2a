import Type from 'typebox';
import { DownloadViewSchema, ModelViewSchema } from './models.ts';

/** The scheduled Civitai update check: its last run, the next one, and the models with a newer version. */
export const UpdatesResponseSchema = Type.Object({
  interval_hours: Type.Integer({ description: 'the model_update_check_hours setting; 0 = scheduled checks are off' }),
  last_checked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  next_check_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  checked: Type.Integer({ description: 'identified models the last run compared' }),
  models: Type.Array(ModelViewSchema, { description: 'models with a newer version for the same base model' }),
});
export type UpdatesResponse = Type.Static<typeof UpdatesResponseSchema>;

export const UpdateModelBodySchema = Type.Object({
  old: Type.Optional(Type.Union([Type.Literal('keep'), Type.Literal('trash')], { description: 'what happens to the installed version once the new one is in (default keep)' })),
}, { additionalProperties: false });

export const UpdateModelResponseSchema = Type.Object({
  download: DownloadViewSchema,
  already_installed: Type.Boolean(),
  old: Type.Union([Type.Literal('keep'), Type.Literal('trash')]),
});
export type UpdateModelResponse = Type.Static<typeof UpdateModelResponseSchema>;
