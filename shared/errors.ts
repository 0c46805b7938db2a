import Type from 'typebox';

/** Every 4xx/5xx body: a stable machine code, a sentence for people, optional details. */
export const ApiErrorSchema = Type.Object({
  error: Type.String({ description: 'machine-readable code, e.g. not_found, validation_error' }),
  message: Type.String({ description: 'what went wrong and what to do, for people' }),
  details: Type.Optional(Type.Unknown()),
});
export type ApiError = Type.Static<typeof ApiErrorSchema>;
