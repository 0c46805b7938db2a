import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import {
  GenerateRequestSchema, GenerateV1ResponseSchema, GenerateV2ResponseSchema, type GenerateRequest,
} from '../../../../shared/jobs.ts';
import type { ApiContext } from '../context.ts';

const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 413: ApiErrorSchema, 429: ApiErrorSchema };

/** The API key a request authenticated with, set by the auth layer (security issue). */
export function requestApiKeyId(request: FastifyRequest): string | null {
  return (request as FastifyRequest & { apiKeyId?: string | null }).apiKeyId ?? null;
}

export function registerGenerateRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: GenerateRequest }>('/api/v1/generate', {
    schema: { tags: ['jobs'], body: GenerateRequestSchema, response: { 202: GenerateV1ResponseSchema, ...errors } },
  }, async (request, reply) => {
    const row = await ctx.service.submit(request.body, { apiKeyId: requestApiKeyId(request), sourceInfo: request.body.source_info ?? 'web_ui' });
    return reply.code(202).send({ mobilesd_job_id: row.mobilesd_job_id });
  });

  app.post<{ Body: GenerateRequest }>('/api/v2/generate', {
    schema: { tags: ['jobs'], body: GenerateRequestSchema, response: { 202: GenerateV2ResponseSchema, ...errors } },
  }, async (request, reply) => {
    const row = await ctx.service.submit(request.body, { apiKeyId: requestApiKeyId(request), sourceInfo: request.body.source_info ?? 'api_v2' });
    return reply.code(202).send({
      success: true,
      mobilesd_job_id: row.mobilesd_job_id,
      queue_position: ctx.service.queuePosition(row) ?? 0,
      estimated_start_time: ctx.service.estimatedStart(row),
    });
  });
}
