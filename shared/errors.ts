import Type from 'typebox';

/** Every 4xx/5xx body: a stable machine code, a sentence for people, optional details. */
export const ApiErrorSchema = Type.Object({
  error: Type.String({ description: 'machine-readable code, e.g. not_found, validation_error' }),
  message: Type.String({ description: 'what went wrong and what to do, for people' }),
  details: Type.Optional(Type.Unknown()),
});
export type ApiError = Type.Static<typeof ApiErrorSchema>;

/**
 * Every 4xx/5xx body on /api/v2: MobileSD's clients print `error`, so there it holds
 * the sentence for people, and the stable machine code moves to `code`. `message` repeats
 * the sentence, so one parser reads both versions.
 */
export const ApiV2ErrorSchema = Type.Object({
  error: Type.String({ description: 'what went wrong and what to do, for people' }),
  code: Type.String({ description: 'machine-readable code, e.g. not_found, validation_error' }),
  message: Type.String({ description: 'the same sentence as error' }),
  details: Type.Optional(Type.Unknown()),
});
export type ApiV2Error = Type.Static<typeof ApiV2ErrorSchema>;
