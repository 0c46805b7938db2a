/**
 * POST /sdapi/v1/txt2img and /img2img: the body becomes a normal queue job (source
 * `a1111_api`), and the call waits for it and answers as A1111 does. The job does not
 * depend on the call: a client that disconnects finds its images in the gallery. A body
 * with `force_task_id` is queued once per caller: a retry (after a timeout, or after a
 * StableQueue restart) finds the same job and answers with its result. With no enabled
 * Forge/A1111 server registered at all the call answers 503 at once instead of waiting forever.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FINISHED_STATUSES } from '../../../../shared/jobs.ts';
import { compatCaller, type CompatCaller } from '../compat-caller.ts';
import type { CompatContext } from '../compat-context.ts';
import { compatMetadata, DOOR_SOURCE } from '../compat-jobs.ts';
import { waitForJobEnd } from '../job-waiter.ts';
import type { JobRow } from '../../queue/job-row.ts';
import { a1111Exception, a1111HttpException, a1111ValidationError } from './a1111-errors.ts';
import { parseA1111Body, toGenerateRequest, type A1111Mode } from './a1111-request.ts';
import { a1111Response } from './a1111-response.ts';

const NO_SERVER = 'No Forge/A1111 server is configured in StableQueue (none is registered, or all are disabled), so nothing can run this generation; nothing was queued. Add or enable one under Servers.';

function hasForgeServer(compat: CompatContext): boolean {
  return compat.ctx.registry.all().some((s) => s.row.enabled && s.row.app_type === 'forge');
}

export function registerA1111GenerationRoutes(scope: FastifyInstance, compat: CompatContext): void {
  /** Submits of the same caller + force_task_id in flight, so two racing retries make one job. */
  const submitting = new Map<string, Promise<JobRow>>();

  async function jobFor(caller: CompatCaller, taskId: string | null, submit: () => Promise<JobRow>): Promise<JobRow> {
    if (!taskId) return submit();
    const key = `${caller.id}\n${taskId}`;
    const pending = submitting.get(key);
    if (pending) return pending;
    const existing = compat.jobs.byTaskId(caller, taskId);
    if (existing) return existing;
    const promise = submit().finally(() => submitting.delete(key));
    submitting.set(key, promise);
    return promise;
  }

  async function generate(mode: A1111Mode, request: FastifyRequest, reply: FastifyReply) {
    const parsed = parseA1111Body(request.body);
    if (!parsed.ok) return reply.code(422).send(a1111ValidationError(parsed.errors));
    const body = parsed.body;
    if (mode === 'img2img' && !(Array.isArray(body.init_images) && body.init_images.length)) {
      return reply.code(404).send(a1111HttpException(404, 'Init image not found'));
    }
    const caller = compatCaller(request);
    const job = toGenerateRequest(mode, body, compat.options.defaults(caller.id));
    if (!job.ok) return reply.code(422).send(a1111ValidationError(job.errors));
    const taskId = typeof body.force_task_id === 'string' && body.force_task_id ? body.force_task_id : null;
    // The call waits for its job, and a job waits for a server: with no enabled Forge/A1111
    // server at all it would wait forever. Say so at once and queue nothing (a retry of a job
    // that already ended under its force_task_id still gets its answer). Servers that are
    // only offline keep the wait: the queue is durable and the job runs when one comes back.
    const earlier = taskId ? compat.jobs.byTaskId(caller, taskId) : undefined;
    if (!hasForgeServer(compat) && !(earlier && FINISHED_STATUSES.includes(earlier.status))) {
      return reply.code(503).send(a1111HttpException(503, NO_SERVER));
    }
    const row = await jobFor(caller, taskId, () => compat.ctx.service.submit(
      { ...job.request, metadata: compatMetadata('a1111', caller, taskId ? { task_id: taskId } : {}) },
      { apiKeyId: caller.apiKeyId, sourceInfo: DOOR_SOURCE.a1111 },
    ));

    // The wait ends when the client goes away; the job does not.
    const gone = new AbortController();
    const onClose = () => { if (!reply.raw.writableFinished) gone.abort(); };
    request.raw.socket.once('close', onClose);
    try {
      const outcome = await waitForJobEnd(compat.ctx, row.mobilesd_job_id, gone.signal);
      if (outcome.kind === 'abandoned') return reply;
      if (outcome.kind === 'removed') {
        return reply.code(500).send(a1111HttpException(500, 'The job was removed from the StableQueue queue before it finished.'));
      }
      const ended = outcome.row;
      if (ended.status === 'failed') {
        const message = ended.error_message ?? 'The generation failed.';
        return reply.code(500).send({ ...a1111Exception('RuntimeError', message), detail: message });
      }
      // Completed, or cancelled (A1111 answers an interrupted run with what it has).
      return reply.code(200).send(await a1111Response(compat.ctx, ended, body));
    } finally {
      request.raw.socket.off('close', onClose);
    }
  }

  const submit = { permission: 'submit', createsJobs: true } as const;
  scope.post('/sdapi/v1/txt2img', { config: submit, schema: { tags: ['a1111'] } }, (request, reply) => generate('txt2img', request, reply));
  scope.post('/sdapi/v1/img2img', { config: submit, schema: { tags: ['a1111'] } }, (request, reply) => generate('img2img', request, reply));
}
