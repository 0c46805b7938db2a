import Type from 'typebox';

/**
 * What one edit of a waiting job changed. `field` is a job field (`priority`,
 * `target_server_alias`) or a generation parameter as `generation_params.<name>`; `from`
 * is absent when the parameter was not set before. A value too large to keep in the
 * history (an init image) is recorded by its size only.
 */
export const JobFieldChangeSchema = Type.Object({
  field: Type.String(),
  from: Type.Optional(Type.Unknown()),
  to: Type.Unknown(),
});
export type JobFieldChange = Type.Static<typeof JobFieldChangeSchema>;

/** Who made an edit: an API key (its id) or the StableQueue UI / a caller without a key. */
export const JobEditorSchema = Type.Union([Type.Literal('api_key'), Type.Literal('ui')]);
export type JobEditor = Type.Static<typeof JobEditorSchema>;

/** One entry of a job's edit history. */
export const JobEditSchema = Type.Object({
  at: Type.String(),
  by: JobEditorSchema,
  api_key_id: Type.Union([Type.String(), Type.Null()]),
  changes: Type.Array(JobFieldChangeSchema),
});
export type JobEdit = Type.Static<typeof JobEditSchema>;
