/**
 * GET /sdapi/v1/progress, POST /interrupt and /skip, for the caller's own work only. On
 * A1111 they concern whatever the one server runs; here many clients share the queue, so
 * a client sees the progress of its own running job (or that it waits in the queue) and
 * stops only its own. Skip cannot end one batch of a job on a queued server and keep the
 * rest, so it stops the caller's running job like interrupt (A1111 answers both with what
 * was done).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { compatCaller } from '../compat-caller.ts';
import type { CompatContext } from '../compat-context.ts';

const IDLE_STATE = {
  skipped: false, interrupted: false, stopping_generation: false, job: '', job_count: 0, job_timestamp: '0', job_no: 0,
  sampling_step: 0, sampling_steps: 0,
};

export function registerA1111ProgressRoutes(scope: FastifyInstance, compat: CompatContext): void {
  const { ctx } = compat;

  scope.get<{ Querystring: { skip_current_image?: string } }>('/sdapi/v1/progress', { config: { permission: 'read' }, schema: { tags: ['a1111'] } }, async (request) => {
    const caller = compatCaller(request);
    const running = compat.jobs.ofCaller('a1111', caller, ['processing']);
    const waiting = compat.jobs.ofCaller('a1111', caller, ['pending', 'downloading_resources']);
    const job = running[0];
    if (!job) {
      const first = waiting[0];
      const position = first ? ctx.service.queuePosition(first) : null;
      return {
        progress: 0, eta_relative: 0,
        state: { ...IDLE_STATE, job_count: waiting.length },
        current_image: null,
        textinfo: first ? `Waiting in the StableQueue queue${position ? ` (position ${position})` : ''}` : null,
      };
    }
    const live = ctx.dispatcher.live(job.mobilesd_job_id);
    const skipImage = request.query.skip_current_image === 'true';
    return {
      progress: live?.progress ?? 0,
      eta_relative: live?.etaSeconds ?? 0,
      state: {
        ...IDLE_STATE,
        job: `scripts_${job.mode}`,
        job_count: running.length + waiting.length,
        job_timestamp: (job.started_timestamp ?? job.creation_timestamp).replace(/[^0-9]/g, '').slice(0, 14),
        sampling_step: live?.step ?? 0,
        sampling_steps: live?.steps ?? 0,
        interrupted: job.cancel_requested === 1,
      },
      current_image: !skipImage && live?.preview ? live.preview.data.toString('base64') : null,
      textinfo: live?.statusText ?? `Running on ${job.assigned_server_alias ?? 'a server'}`,
    };
  });

  async function stopOwnRunning(request: FastifyRequest): Promise<void> {
    for (const job of compat.jobs.ofCaller('a1111', compatCaller(request), ['processing'])) {
      try {
        await ctx.service.cancel(job.mobilesd_job_id);
      } catch {
        // It finished meanwhile: nothing left to stop.
      }
    }
  }

  scope.post('/sdapi/v1/interrupt', { config: { permission: 'submit' }, schema: { tags: ['a1111'] } }, async (request) => {
    await stopOwnRunning(request);
    return {};
  });
  scope.post('/sdapi/v1/skip', { config: { permission: 'submit' }, schema: { tags: ['a1111'] } }, async (request) => {
    await stopOwnRunning(request);
    return null;
  });
}
