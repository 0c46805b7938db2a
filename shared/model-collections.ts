import Type from 'typebox';

/** A named set of library models (a model may be in several). */
export const ModelCollectionSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  model_count: Type.Integer({ description: 'models of the collection that are in the library now' }),
  created_at: Type.String(),
});
export type ModelCollection = Type.Static<typeof ModelCollectionSchema>;

export const ModelCollectionListSchema = Type.Object({ collections: Type.Array(ModelCollectionSchema) });

/** POST /api/v1/models/collections and PATCH /api/v1/models/collections/:id. */
export const ModelCollectionBodySchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' }),
}, { additionalProperties: false });

/** POST /api/v1/models/collections/:id/models: add library models by id. */
export const ModelCollectionAddSchema = Type.Object({
  model_ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000, uniqueItems: true }),
}, { additionalProperties: false });

/** PUT /api/v1/models/:id/favourite. */
export const ModelFavouriteBodySchema = Type.Object({ favourite: Type.Boolean() }, { additionalProperties: false });
