import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema, ApiV2ErrorSchema } from '../../../../shared/errors.ts';
import {
  EditJobRequestSchema, JOB_STATUSES, JobListResponseSchema, QueueStateSchema, JobStatusResponseSchema, JobStatusV2ResponseSchema, JobSummarySchema, PrioritySchema, ReorderRequestSchema,
  type EditJobRequest, type JobStatus, type ReorderRequest,
} from '../../../../shared/jobs.ts';
import { LIMITS } from '../../../../shared/limits.ts';
import { BulkRequestSchema, BulkResponseSchema, type BulkRequest } from '../../../../shared/queue-bulk.ts';
import { QueueExportSchema, QueueImportResponseSchema } from '../../../../shared/queue-export.ts';
import { AppTypeSchema, type AppType } from '../../../../shared/servers.ts';
import type { ApiContext } from '../context.ts';
import { applicationSpecificData } from '../../queue/application-data.ts';
import { grants, type RoutePolicy } from '../../security/permissions.ts';
import { keyOf } from '../../security/request-principal.ts';
import { ApiError } from '../errors.ts';
import { backupBeforeOrRefuse } from './backup-before.ts';
import { requestApiKeyId } from './generate.ts';

const JobParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
type JobParamsT = { id: string };
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };
const STATUSES = new Set<string>(JOB_STATUSES);

type JobListQuery = {
  status?: string; app_type?: AppType; source?: string; mine?: boolean; api_key_id?: string;
  limit?: number; offset?: number; include_archived?: boolean; q?: string;
};

/**
 * Whose jobs a list asks for: `mine=true` means the calling key's; `api_key_id` names a key,
 * which must be the caller's own unless the caller is admin (the UI is).
 */
function listedKeyId(request: FastifyRequest, q: JobListQuery): string | undefined {
  const key = keyOf(request);
  if (q.mine) {
    if (!key) throw new ApiError(400, 'mine_needs_api_key', 'mine=true lists the jobs of the API key making the request, and this request has none. Filter with api_key_id= or source= instead.');
    if (q.api_key_id !== undefined && q.api_key_id !== key.id) throw new ApiError(400, 'validation_error', 'mine=true and api_key_id name different keys; send one of them.');
    return key.id;
  }
  if (q.api_key_id !== undefined && key && key.id !== q.api_key_id && !grants(key.permissions, 'admin')) {
    throw new ApiError(403, 'not_your_key', 'This API key may list only its own jobs: use mine=true, or its own id in api_key_id.');
  }
  return q.api_key_id;
}

export function registerQueueRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const summary = (id: string) => ctx.service.summary(ctx.service.get(id));

  app.get<{ Querystring: JobListQuery }>('/api/v1/queue/jobs', {
    config: { permission: 'read' },
    schema: {
      tags: ['queue'],
      querystring: Type.Object({
        status: Type.Optional(Type.String({ maxLength: 200, description: 'comma-separated statuses' })),
        app_type: Type.Optional(AppTypeSchema),
        source: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'only jobs whose source_info is exactly this, e.g. forge_extension' })),
        mine: Type.Optional(Type.Boolean({ description: 'only the jobs of the API key making the request' })),
        api_key_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'only the jobs of this API key (its own id, unless the caller is admin)' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax, default: 50 })),
        offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 })),
        include_archived: Type.Optional(Type.Boolean()),
        q: Type.Optional(Type.String({ maxLength: 500, description: 'a job id (exact) or words of the prompt (case-insensitive substring)' })),
      }),
      response: { 200: JobListResponseSchema, 400: ApiErrorSchema, 403: ApiErrorSchema },
    },
  }, async (request) => {
    const q = request.query;
    const statuses = q.status ? q.status.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    const unknown = statuses?.filter((s) => !STATUSES.has(s));
    if (unknown?.length) throw new ApiError(400, 'validation_error', `Unknown status: ${unknown.join(', ')}. Use ${[...STATUSES].join(', ')}.`);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const result = ctx.service.list({
      statuses: statuses as JobStatus[] | undefined, appType: q.app_type, sourceInfo: q.source,
      apiKeyId: listedKeyId(request, q), limit, offset, includeArchived: q.include_archived, search: q.q?.trim() || undefined,
    });
    return { ...result, limit, offset, paused: ctx.service.isPaused() };
  });

  // One job in the same shape as the list rows and the job events, so a client can track it without converting.
  app.get<{ Params: JobParamsT }>('/api/v1/queue/jobs/:id', {
    config: { permission: 'read' },
    schema: { tags: ['queue'], params: JobParams, response: { 200: JobSummarySchema, ...errors } },
  }, async (request) => summary(request.params.id));

  app.get<{ Params: JobParamsT }>('/api/v1/queue/jobs/:id/status', {
    config: { permission: 'read' },
    schema: { tags: ['queue'], params: JobParams, response: { 200: JobStatusResponseSchema, ...errors } },
  }, async (request) => ctx.service.status(request.params.id));

  // The v2 status MobileSD's clients read: the v1 fields plus metadata and application_specific_data.
  app.get<{ Params: { jobId: string } }>('/api/v2/queue/jobs/:jobId/status', {
    config: { permission: 'read' },
    schema: {
      tags: ['queue'],
      params: Type.Object({ jobId: Type.String({ format: 'uuid' }) }),
      response: { 200: JobStatusV2ResponseSchema, 400: ApiV2ErrorSchema, 401: ApiV2ErrorSchema, 403: ApiV2ErrorSchema, 404: ApiV2ErrorSchema, 429: ApiV2ErrorSchema },
    },
  }, async (request) => {
    const status = ctx.service.status(request.params.jobId);
    return {
      ...status,
      metadata: status.metadata ?? null,
      application_specific_data: applicationSpecificData(ctx.service.get(request.params.jobId), status.result_details, {
        checkpointsOf: (alias) => ctx.registry.get(alias)?.checkpoints ?? null,
      }),
    };
  });

  app.get<{ Params: JobParamsT }>('/api/v1/queue/jobs/:id/preview', {
    config: { permission: 'read' },
    schema: { tags: ['queue'], params: JobParams, response: { ...errors } },
  }, async (request, reply) => {
    ctx.service.get(request.params.id);
    const preview = ctx.dispatcher.live(request.params.id)?.preview;
    if (!preview) throw new ApiError(404, 'no_preview', 'No live preview for this job right now.');
    return reply.header('Cache-Control', 'no-store').type(preview.mime).send(preview.data);
  });

  const action = (path: string, policy: RoutePolicy, run: (id: string, request: { apiKeyId: string | null }) => Promise<unknown> | unknown) =>
    app.post<{ Params: JobParamsT }>(`/api/v1/queue/jobs/:id/${path}`, {
      config: policy,
      schema: { tags: ['queue'], params: JobParams, response: { 200: JobSummarySchema, ...errors } },
    }, async (request) => {
      const result = await run(request.params.id, { apiKeyId: requestApiKeyId(request) });
      return typeof result === 'string' ? summary(result) : summary(request.params.id);
    });

  // A key may cancel and retry the jobs it submitted; a requeue makes a new job like any other.
  const ownJob: RoutePolicy = { permission: 'submit', ownJobOnly: true };
  action('cancel', ownJob, (id) => ctx.service.cancel(id));
  action('retry', ownJob, (id) => ctx.service.retry(id));
  // A held job waits in its place and is never dispatched until released.
  action('hold', ownJob, (id) => ctx.service.hold(id));
  action('release', ownJob, (id) => ctx.service.release(id));
  action('requeue', { permission: 'admin', createsJobs: true }, async (id, r) => (await ctx.service.requeue(id, { apiKeyId: r.apiKeyId })).mobilesd_job_id);

  app.post<{ Params: JobParamsT; Body: ReorderRequest }>('/api/v1/queue/jobs/:id/reorder', {
    config: { permission: 'submit', ownJobOnly: true },
    schema: { tags: ['queue'], params: JobParams, body: ReorderRequestSchema, response: { 200: JobSummarySchema, ...errors } },
  }, async (request) => ctx.service.summary(ctx.service.reorder(request.params.id, request.body)));

  // A key may edit the jobs it submitted while they wait; the UI (admin) any waiting job.
  app.patch<{ Params: JobParamsT; Body: EditJobRequest }>('/api/v1/queue/jobs/:id', {
    config: { permission: 'submit', ownJobOnly: true },
    schema: { tags: ['queue'], params: JobParams, body: EditJobRequestSchema, response: { 200: JobStatusResponseSchema, ...errors } },
  }, async (request) => {
    ctx.service.edit(request.params.id, request.body, { apiKeyId: requestApiKeyId(request) });
    return ctx.service.status(request.params.id);
  });

  app.put<{ Params: JobParamsT; Body: { priority: number } }>('/api/v1/queue/jobs/:id/priority', {
    config: { permission: 'admin' },
    schema: {
      tags: ['queue'], params: JobParams,
      body: Type.Object({ priority: PrioritySchema }, { additionalProperties: false }),
      response: { 200: JobSummarySchema, ...errors },
    },
  }, async (request) => ctx.service.summary(ctx.service.setPriority(request.params.id, request.body.priority)));

  app.delete<{ Params: JobParamsT }>('/api/v1/queue/jobs/:id', {
    config: { permission: 'submit', ownJobOnly: true },
    schema: { tags: ['queue'], params: JobParams, response: { 200: Type.Object({ deleted: Type.String() }), ...errors } },
  }, async (request) => {
    await ctx.service.remove(request.params.id);
    return { deleted: request.params.id };
  });

  // One action on many jobs (ids or the list's filters), in one transaction, answered with counts.
  app.post<{ Body: BulkRequest }>('/api/v1/queue/bulk', {
    config: { permission: 'admin' },
    schema: { tags: ['queue'], body: BulkRequestSchema, response: { 200: BulkResponseSchema, ...errors } },
  }, async (request) => ctx.service.bulk(request.body, { apiKeyId: requestApiKeyId(request) }));

  app.get<{ Querystring: { include_finished?: boolean } }>('/api/v1/queue/export', {
    config: { permission: 'admin' },
    schema: {
      tags: ['queue'],
      querystring: Type.Object({ include_finished: Type.Optional(Type.Boolean({ description: 'also the finished jobs (for the record; an import does not queue them again)' })) }, { additionalProperties: false }),
      response: { 200: QueueExportSchema, 400: ApiErrorSchema },
    },
  }, async (request, reply) => {
    const doc = ctx.service.exportQueue({ includeFinished: request.query.include_finished ?? false });
    const day = doc.exported_at.slice(0, 10);
    return reply.header('Content-Disposition', `attachment; filename="stablequeue-queue-${day}.json"`).send(doc);
  });

  // The body's form is checked by the import itself, so a file from another version gets a message that says so.
  app.post<{ Body: Record<string, unknown> }>('/api/v1/queue/import', {
    config: { permission: 'admin', createsJobs: true },
    schema: {
      tags: ['queue'],
      body: Type.Object({}, { additionalProperties: true, description: 'a document from GET /api/v1/queue/export' }),
      response: { 200: QueueImportResponseSchema, ...errors },
    },
  }, async (request) => ctx.service.importQueue(request.body, { apiKeyId: requestApiKeyId(request) }));

  app.get('/api/v1/queue/state', { config: { permission: 'read' }, schema: { tags: ['queue'], response: { 200: QueueStateSchema } } }, async () =>
    ({ paused: ctx.service.isPaused(), counts: ctx.service.counts() }));

  app.post('/api/v1/queue/pause', { config: { permission: 'admin' }, schema: { tags: ['queue'], response: { 200: QueueStateSchema } } }, async () => {
    ctx.service.setPaused(true);
    return { paused: true, counts: ctx.service.counts() };
  });

  app.post('/api/v1/queue/resume', { config: { permission: 'admin' }, schema: { tags: ['queue'], response: { 200: QueueStateSchema } } }, async () => {
    ctx.service.setPaused(false);
    return { paused: false, counts: ctx.service.counts() };
  });

  app.post('/api/v1/queue/clear', {
    config: { permission: 'admin' },
    schema: { tags: ['queue'], response: { 200: Type.Object({ cleared: Type.Integer() }), 507: ApiErrorSchema } },
  }, async () => {
    backupBeforeOrRefuse(ctx, 'pre-clear');
    return { cleared: ctx.service.clearFinished() };
  });

}
