/**
 * ComfyUI's queue API over StableQueue's queue: POST /prompt makes a normal job (source
 * `comfyui_api`) after checking the workflow against the /object_info of a server that
 * could run it, answering `{prompt_id, number, node_errors}` or ComfyUI's 400; GET /prompt,
 * GET/POST /queue and /history, POST /interrupt and /free act on the caller's own prompts.
 * The prompt_id is the job's id, or the one the client chose (kept with the job): it stays
 * valid across restarts and whichever server runs it; a prompt_id the caller already used
 * answers with that prompt instead of queueing it twice (a client's retry).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainError } from '../../domain-error.ts';
import type { JobRow } from '../../queue/job-row.ts';
import { compatCaller, type CompatCaller } from '../compat-caller.ts';
import type { CompatContext } from '../compat-context.ts';
import { compatMetadata, compatOf, DOOR_SOURCE, promptIdOf } from '../compat-jobs.ts';
import { onlineServers, readServerJson } from '../server-reads.ts';
import { historyEntry, queueItem } from './comfy-history.ts';
import type { ComfyUploads } from './comfy-uploads.ts';
import { validatePrompt, type ObjectInfo } from './prompt-validation.ts';

/** extra_data kept with a job; larger ones (pasted images) are dropped, not refused. */
const MAX_EXTRA_DATA_BYTES = 8 * 1024;
// A job held in StableQueue's own queue is still waiting as far as a ComfyUI client can tell.
const UNFINISHED = ['pending', 'held', 'downloading_resources', 'processing'] as const;
const WAITING = ['pending', 'held', 'downloading_resources'] as const;

interface PromptBody {
  prompt?: unknown;
  prompt_id?: unknown;
  client_id?: unknown;
  extra_data?: unknown;
  front?: unknown;
}

function comfyError(reply: FastifyReply, status: number, type: string, message: string, details = '', nodeErrors: Record<string, unknown> = {}) {
  return reply.code(status).send({ error: { type, message, details, extra_info: {} }, node_errors: nodeErrors });
}

export function registerComfyPromptRoutes(scope: FastifyInstance, compat: CompatContext, uploads: ComfyUploads): void {
  const { ctx } = compat;
  let lastNumber: number | null = null;
  const nextNumber = () => (lastNumber = (lastNumber ?? compat.jobs.lastComfyNumber()) + 1);

  const own = (caller: CompatCaller, id: unknown): JobRow | undefined => {
    const row = typeof id === 'string' ? compat.jobs.byPromptId(id) : undefined;
    return row && compatOf(row)?.caller === caller.id ? row : undefined;
  };

  async function cancelQuietly(id: string): Promise<void> {
    try {
      await ctx.service.cancel(id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Finished meanwhile: nothing to take off the queue.
    }
  }

  scope.post<{ Body: PromptBody }>('/prompt', { config: { permission: 'submit', createsJobs: true }, schema: { tags: ['comfyui'] } }, async (request, reply) => {
    const body = request.body && typeof request.body === 'object' ? request.body : {};
    if (!('prompt' in body) || !body.prompt || typeof body.prompt !== 'object' || Array.isArray(body.prompt)) {
      return comfyError(reply, 400, 'no_prompt', 'No prompt provided', 'No prompt provided');
    }
    const graph = body.prompt as Record<string, unknown>;
    // Checked against a server that would run it; with none online it is checked when it runs.
    const server = onlineServers(ctx, 'comfyui')[0];
    const info = server ? await readServerJson(ctx, server, '/object_info') as ObjectInfo | null : null;
    const validation = info ? validatePrompt(graph, info) : null;
    if (validation && !validation.ok) {
      return reply.code(400).send({ error: validation.error, node_errors: validation.nodeErrors });
    }
    const caller = compatCaller(request);
    const chosenId = typeof body.prompt_id === 'string' && body.prompt_id && body.prompt_id.length <= 200 ? body.prompt_id : undefined;
    const earlier = chosenId ? own(caller, chosenId) : undefined;
    if (earlier) return { prompt_id: chosenId, number: compatOf(earlier)?.number ?? 0, node_errors: {} };
    const clientId = typeof body.client_id === 'string' && body.client_id ? body.client_id : undefined;
    const extra = body.extra_data && typeof body.extra_data === 'object' && !Array.isArray(body.extra_data) ? { ...body.extra_data as Record<string, unknown> } : {};
    const pngInfo = extra.extra_pnginfo as { workflow?: unknown } | undefined;
    const workflowUi = pngInfo?.workflow && typeof pngInfo.workflow === 'object' ? pngInfo.workflow as Record<string, unknown> : undefined;
    delete extra.extra_pnginfo;
    delete extra.client_id;
    const extraData = Buffer.byteLength(JSON.stringify(extra)) <= MAX_EXTRA_DATA_BYTES ? extra : {};
    const outputs = validation?.ok ? validation.outputs : [];

    await uploads.pushToServers(await uploads.namedIn(graph));
    const number = nextNumber();
    let row: JobRow;
    try {
      row = await ctx.service.submit({
        target_server_alias: 'auto', app_type: 'comfyui',
        generation_params: { workflow: graph, ...(workflowUi ? { workflow_ui: workflowUi } : {}) },
        metadata: compatMetadata('comfyui', caller, {
          number, outputs, extra_data: extraData, ...(clientId ? { client_id: clientId } : {}), ...(chosenId ? { prompt_id: chosenId } : {}),
        }),
      }, { apiKeyId: caller.apiKeyId, sourceInfo: DOOR_SOURCE.comfyui });
    } catch (error) {
      if (error instanceof DomainError && error.status < 500) return comfyError(reply, error.status, 'invalid_prompt', error.message);
      throw error;
    }
    if (body.front === true) ctx.service.reorder(row.mobilesd_job_id, { to: 'top' });
    return { prompt_id: promptIdOf(row), number, node_errors: validation?.ok ? validation.nodeErrors : {} };
  });

  scope.get('/prompt', { config: { permission: 'read' }, schema: { tags: ['comfyui'] } }, async (request) => ({
    exec_info: { queue_remaining: compat.jobs.ofCaller('comfyui', compatCaller(request), UNFINISHED).length },
  }));

  scope.get('/queue', { config: { permission: 'read' }, schema: { tags: ['comfyui'] } }, async (request) => {
    const caller = compatCaller(request);
    return {
      queue_running: compat.jobs.ofCaller('comfyui', caller, ['processing']).map(queueItem),
      queue_pending: compat.jobs.ofCaller('comfyui', caller, WAITING).map(queueItem),
    };
  });

  scope.post<{ Body: { clear?: unknown; delete?: unknown } }>('/queue', { config: { permission: 'submit' }, schema: { tags: ['comfyui'] } }, async (request, reply) => {
    const caller = compatCaller(request);
    const body = request.body && typeof request.body === 'object' ? request.body : {};
    // Like ComfyUI: only waiting prompts are taken off; a running one needs /interrupt.
    if (body.clear === true) for (const row of compat.jobs.ofCaller('comfyui', caller, WAITING)) await cancelQuietly(row.mobilesd_job_id);
    if (Array.isArray(body.delete)) {
      for (const id of body.delete) {
        const row = own(caller, id);
        if (row && (WAITING as readonly string[]).includes(row.status)) await cancelQuietly(row.mobilesd_job_id);
      }
    }
    return reply.code(200).send();
  });

  scope.post<{ Body: { prompt_id?: unknown } }>('/interrupt', { config: { permission: 'submit' }, schema: { tags: ['comfyui'] } }, async (request, reply) => {
    const caller = compatCaller(request);
    const wanted = request.body && typeof request.body === 'object' ? request.body.prompt_id : undefined;
    for (const row of compat.jobs.ofCaller('comfyui', caller, ['processing'])) {
      if (wanted === undefined || wanted === promptIdOf(row)) await cancelQuietly(row.mobilesd_job_id);
    }
    return reply.code(200).send();
  });

  // Memory belongs to servers other clients use too; StableQueue does not unload their models.
  scope.post('/free', { config: { permission: 'submit' }, schema: { tags: ['comfyui'] } }, async (_request, reply) => reply.code(200).send());

  scope.get<{ Querystring: { max_items?: string; offset?: string } }>('/history', { config: { permission: 'read' }, schema: { tags: ['comfyui'] } }, async (request) => {
    const caller = compatCaller(request);
    const limit = Math.min(Math.max(Number.parseInt(request.query.max_items ?? '', 10) || 200, 1), 1000);
    const offset = Math.max(Number.parseInt(request.query.offset ?? '', 10) || 0, 0);
    const history: Record<string, unknown> = {};
    for (const row of compat.jobs.recentOfCaller('comfyui', caller, limit, offset).reverse()) {
      const entry = historyEntry(row, ctx.gallery.forJob(row.mobilesd_job_id));
      if (entry) history[promptIdOf(row)] = entry;
    }
    return history;
  });

  scope.get<{ Params: { id: string } }>('/history/:id', { config: { permission: 'read' }, schema: { tags: ['comfyui'] } }, async (request) => {
    const row = compat.jobs.byPromptId(request.params.id);
    const entry = row ? historyEntry(row, ctx.gallery.forJob(row.mobilesd_job_id)) : null;
    return entry ? { [request.params.id]: entry } : {};
  });

  scope.post<{ Body: { clear?: unknown; delete?: unknown } }>('/history', { config: { permission: 'submit' }, schema: { tags: ['comfyui'] } }, async (request, reply) => {
    const caller = compatCaller(request);
    const body = request.body && typeof request.body === 'object' ? request.body : {};
    const finished = (row: JobRow | undefined) => row && !(UNFINISHED as readonly string[]).includes(row.status);
    const ids = body.clear === true
      ? compat.jobs.recentOfCaller('comfyui', caller, 10_000, 0).filter(finished).map((r) => r.mobilesd_job_id)
      : Array.isArray(body.delete) ? body.delete.filter((id) => finished(own(caller, id))) as string[] : [];
    // Leaves the queue list; the images stay in the gallery.
    for (const id of ids) await ctx.service.remove(id);
    return reply.code(200).send();
  });
}
