import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiErrorSchema, ApiV2ErrorSchema } from '../../../../shared/errors.ts';
import {
  GenerateRequestSchema, GenerateV1ResponseSchema, GenerateV2ResponseSchema, type GenerateRequest,
} from '../../../../shared/jobs.ts';
import type { ApiContext } from '../context.ts';

const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 413: ApiErrorSchema, 429: ApiErrorSchema };
const v2Errors = { 400: ApiV2ErrorSchema, 401: ApiV2ErrorSchema, 403: ApiV2ErrorSchema, 404: ApiV2ErrorSchema, 413: ApiV2ErrorSchema, 429: ApiV2ErrorSchema };

/** The API key a request authenticated with, set by the auth layer (security issue). */
export function requestApiKeyId(request: FastifyRequest): string | null {
  return (request as FastifyRequest & { apiKeyId?: string | null }).apiKeyId ?? null;
}

export function registerGenerateRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: GenerateRequest }>('/api/v1/generate', {
    config: { permission: 'submit', createsJobs: true },
    schema: { tags: ['jobs'], body: GenerateRequestSchema, response: { 202: GenerateV1ResponseSchema, ...errors } },
  }, async (request, reply) => {
    const row = await ctx.service.submit(request.body, { apiKeyId: requestApiKeyId(request), sourceInfo: request.body.source_info ?? 'api' });
    return reply.code(202).send({ mobilesd_job_id: row.mobilesd_job_id });
  });

  // 200, not 202: MobileSD's clients check `status_code == 200`.
  app.post<{ Body: GenerateRequest }>('/api/v2/generate', {
    config: { permission: 'submit', createsJobs: true },
    schema: { tags: ['jobs'], body: GenerateRequestSchema, response: { 200: GenerateV2ResponseSchema, ...v2Errors } },
  }, async (request, reply) => {
    const row = await ctx.service.submit(request.body, { apiKeyId: requestApiKeyId(request), sourceInfo: request.body.source_info ?? 'api_v2' });
    return reply.code(200).send({
      success: true,
      mobilesd_job_id: row.mobilesd_job_id,
      queue_position: ctx.service.queuePosition(row) ?? 0,
      estimated_start_time: ctx.service.estimatedStart(row),
    });
  });
}
