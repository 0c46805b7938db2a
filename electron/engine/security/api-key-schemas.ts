import Type from 'typebox';
import { API_KEY_DEFAULTS, type ApiKeyRecord } from './api-key-store.ts';
import { PERMISSIONS } from './permissions.ts';

const PermissionSchema = Type.Union(PERMISSIONS.map((p) => Type.Literal(p)));
const PermissionsSchema = Type.Array(PermissionSchema, { minItems: 1, maxItems: PERMISSIONS.length, uniqueItems: true });
const NameSchema = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const RateSchema = Type.Integer({ minimum: 1, maximum: 100_000, description: 'requests per minute (token bucket: bursts up to this many)' });
const DepthSchema = Type.Integer({ minimum: 1, maximum: 100_000, description: 'unfinished jobs this key may hold' });

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

/** The creation answer: the view plus the secret, which is never shown again. */
export const ApiKeyCreatedSchema = Type.Object({
  ...ApiKeyViewSchema.properties,
  secret: Type.String({ description: 'shown once; send as X-API-Secret' }),
});

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

export const ApiKeyIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const DEFAULT_NEW_KEY_PERMISSIONS = ['submit', 'read'] as const;
export { API_KEY_DEFAULTS };

export function toApiKeyView(key: ApiKeyRecord) {
  return {
    id: key.id,
    name: key.name,
    key: key.keyId,
    permissions: key.permissions,
    is_active: key.active,
    created_at: key.createdAt,
    last_used: key.lastUsed,
    rate_limit_per_minute: key.rateLimitPerMinute,
    max_queue_depth: key.maxQueueDepth,
  };
}
