import Type from 'typebox';

/** How much a library model was used: jobs that named it, when last, on which servers. */
export const ModelUsageSchema = Type.Object({
  model_id: Type.Integer(),
  jobs: Type.Integer(),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
  servers: Type.Array(Type.String()),
});
export type ModelUsage = Type.Static<typeof ModelUsageSchema>;

export const ModelUsageListSchema = Type.Object({ items: Type.Array(ModelUsageSchema) });
export type ModelUsageList = Type.Static<typeof ModelUsageListSchema>;
