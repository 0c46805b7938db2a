import Type from 'typebox';

/**
 * API keys as the API shows and takes them. What a key may do:
 *   submit: create jobs; cancel, retry, move or remove its own jobs;
 *   read:   read the queue, jobs, images, gallery, servers, models and events;
 *   admin:  everything, including servers, keys and settings.
 */
export const PermissionSchema = Type.Union([Type.Literal('submit'), Type.Literal('read'), Type.Literal('admin')]);
export type Permission = Type.Static<typeof PermissionSchema>;
export const PERMISSIONS: readonly Permission[] = PermissionSchema.anyOf.map((literal) => literal.const);
const PermissionsSchema = Type.Array(PermissionSchema, { minItems: 1, maxItems: PERMISSIONS.length, uniqueItems: true });
const NameSchema = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const RateSchema = Type.Integer({ minimum: 1, maximum: 100_000, description: 'requests per minute (token bucket: bursts up to this many)' });
const DepthSchema = Type.Integer({ minimum: 1, maximum: 100_000, description: 'unfinished jobs this key may hold' });

/** An API key as GET /api/v1/api-keys lists it (never with its secret). */
export const ApiKeyViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  key: Type.String({ description: 'the public key id, sent as X-API-Key' }),
  permissions: Type.Array(PermissionSchema),
  is_active: Type.Boolean(),
  created_at: Type.String(),
  last_used: Type.Union([Type.String(), Type.Null()]),
  rate_limit_per_minute: Type.Integer(),
  max_queue_depth: Type.Integer(),
});
export type ApiKeyView = Type.Static<typeof ApiKeyViewSchema>;

/** The creation answer: the view plus the secret, which is never shown again. */
export const ApiKeyCreatedSchema = Type.Object({
  ...ApiKeyViewSchema.properties,
  secret: Type.String({ description: 'shown once; send as X-API-Secret' }),
});
export type ApiKeyCreated = Type.Static<typeof ApiKeyCreatedSchema>;

export const ApiKeyCreateSchema = Type.Object({
  name: NameSchema,
  permissions: Type.Optional(PermissionsSchema),
  rate_limit_per_minute: Type.Optional(RateSchema),
  max_queue_depth: Type.Optional(DepthSchema),
}, { additionalProperties: false });
export type ApiKeyCreate = Type.Static<typeof ApiKeyCreateSchema>;

export const ApiKeyUpdateSchema = Type.Object({
  name: Type.Optional(NameSchema),
  permissions: Type.Optional(PermissionsSchema),
  is_active: Type.Optional(Type.Boolean()),
  rate_limit_per_minute: Type.Optional(RateSchema),
  max_queue_depth: Type.Optional(DepthSchema),
}, { additionalProperties: false });
export type ApiKeyUpdate = Type.Static<typeof ApiKeyUpdateSchema>;
