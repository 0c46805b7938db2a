import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { SECRET_NAMES } from '../../secrets/secret-store.ts';
import type { SecurityServices } from '../security-services.ts';

const TokenState = Type.Object({ civitai_token_set: Type.Boolean() });
const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema };

/**
 * The Civitai API token (admin): written to the SecretStore (keychain / 0600 file), never
 * to SQLite, never returned; reads only say whether one is set. The Civitai client reads
 * it with ctx.secrets.get(SECRET_NAMES.civitaiToken).
 */
export function registerCivitaiTokenRoutes(app: FastifyInstance, services: SecurityServices): void {
  const { secrets } = services.ctx;
  const state = async () => ({ civitai_token_set: (await secrets.get(SECRET_NAMES.civitaiToken)) !== null });

  app.get('/api/v1/settings/civitai-token', {
    config: { permission: 'admin' },
    schema: { tags: ['settings'], response: { 200: TokenState, ...errors } },
  }, state);

  app.put<{ Body: { token: string } }>('/api/v1/settings/civitai-token', {
    config: { permission: 'admin' },
    schema: {
      tags: ['settings'],
      body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 512, pattern: '^\\s*[\\x21-\\x7e]+\\s*$', description: 'write-only' }) }, { additionalProperties: false }),
      response: { 200: TokenState, ...errors },
    },
  }, async (request) => {
    await secrets.set(SECRET_NAMES.civitaiToken, request.body.token.trim());
    request.log.info('Civitai token set');
    return state();
  });

  app.delete('/api/v1/settings/civitai-token', {
    config: { permission: 'admin' },
    schema: { tags: ['settings'], response: { 200: TokenState, ...errors } },
  }, async (request) => {
    await secrets.delete(SECRET_NAMES.civitaiToken);
    request.log.info('Civitai token removed');
    return state();
  });
}
