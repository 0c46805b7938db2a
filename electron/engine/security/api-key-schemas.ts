import Type from 'typebox';
import type { ApiKeyView } from '../../../shared/api-keys.ts';
import { API_KEY_DEFAULTS, type ApiKeyRecord } from './api-key-store.ts';

export const ApiKeyIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const DEFAULT_NEW_KEY_PERMISSIONS = ['submit', 'read'] as const;
export { API_KEY_DEFAULTS };

export function toApiKeyView(key: ApiKeyRecord): ApiKeyView {
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
