/**
 * ComfyUI's websocket for the facade's clients: a client connects to /ws?clientId=ID and
 * gets, for the prompts it queued with that client_id, the events ComfyUI would send —
 * `status`, `execution_start`, `executing`, `progress`, binary previews, `executed`,
 * `execution_success` / `execution_error` / `execution_interrupted`, and the final
 * `executing {node: null}` — translated from the engine's job events, so they carry the
 * prompt_id the client was given whichever server ran the job. The client_id is kept with
 * the job, so a client that reconnects after a StableQueue restart gets the rest.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { EngineEvent } from '../../../../shared/events.ts';
import type { CompatContext } from '../compat-context.ts';
import { compatOf, promptIdOf } from '../compat-jobs.ts';
import { executionErrorData, outputsByNode } from './comfy-history.ts';

/** Binary frame type 1 (PREVIEW_IMAGE) and its formats. */
const PREVIEW_IMAGE = 1;
const PREVIEW_FORMAT: Record<string, number> = { 'image/jpeg': 1, 'image/png': 2 };

interface FollowedPrompt {
  clientId: string;
  /** The id the client knows the prompt by. */
  promptId: string;
  /** The node progress is reported on (the sampler). */
  node: string;
  started: boolean;
}

function samplerNode(workflow: Record<string, { class_type?: unknown }>, outputs: string[]): string {
  const sampler = Object.entries(workflow).find(([, n]) => typeof n?.class_type === 'string' && /sampler/i.test(n.class_type));
  return sampler?.[0] ?? outputs[0] ?? Object.keys(workflow)[0] ?? '0';
}

export class ComfyWsRelay {
  readonly #compat: CompatContext;
  readonly #sockets = new Map<string, Set<WebSocket>>();
  /** Jobs seen in events: the prompt followed, or null when it is not a facade job with a client. */
  readonly #prompts = new Map<string, FollowedPrompt | null>();
  readonly #off: () => void;

  constructor(compat: CompatContext) {
    this.#compat = compat;
    this.#off = compat.ctx.bus.on((event) => this.#onEvent(event));
  }

  /** A new websocket: greeted with its sid and the queue, then sent its prompts' events. */
  attach(socket: WebSocket, requestedId: string | undefined): void {
    const sid = requestedId && requestedId.length <= 200 ? requestedId : randomUUID().replace(/-/g, '');
    const set = this.#sockets.get(sid) ?? new Set();
    set.add(socket);
    this.#sockets.set(sid, set);
    socket.on('close', () => {
      set.delete(socket);
      if (!set.size) this.#sockets.delete(sid);
    });
    socket.on('message', (raw, isBinary) => {
      if (isBinary) return;
      try {
        const message = JSON.parse(String(raw)) as { type?: string };
        if (message.type === 'feature_flags') this.#sendTo(socket, 'feature_flags', { supports_preview_metadata: false });
      } catch {
        // ComfyUI ignores frames it cannot read.
      }
    });
    this.#sendTo(socket, 'status', { status: this.#status(sid), sid });
  }

  #status(clientId: string) {
    return { exec_info: { queue_remaining: this.#compat.jobs.unfinishedOfClient(clientId).length } };
  }

  #sendTo(socket: WebSocket, type: string, data: unknown): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type, data }));
  }

  #send(clientId: string, type: string, data: unknown): void {
    for (const socket of this.#sockets.get(clientId) ?? []) this.#sendTo(socket, type, data);
  }

  #follow(jobId: string): FollowedPrompt | null {
    if (this.#prompts.has(jobId)) return this.#prompts.get(jobId) ?? null;
    const row = this.#compat.jobs.get('comfyui', jobId);
    const compat = row ? compatOf(row) : null;
    let followed: FollowedPrompt | null = null;
    if (row && compat?.client_id) {
      const workflow = (JSON.parse(row.generation_params_json) as { workflow?: Record<string, { class_type?: unknown }> }).workflow ?? {};
      followed = { clientId: compat.client_id, promptId: promptIdOf(row), node: samplerNode(workflow, compat.outputs ?? []), started: false };
    }
    this.#prompts.set(jobId, followed);
    return followed;
  }

  #start(jobId: string, prompt: FollowedPrompt): void {
    if (prompt.started) return;
    prompt.started = true;
    const timestamp = this.#compat.ctx.clock.now();
    this.#send(prompt.clientId, 'execution_start', { prompt_id: prompt.promptId, timestamp });
    this.#send(prompt.clientId, 'execution_cached', { nodes: [], prompt_id: prompt.promptId, timestamp });
  }

  #onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'queue.state':
        for (const clientId of this.#sockets.keys()) this.#send(clientId, 'status', { status: this.#status(clientId) });
        return;
      case 'job.progress': {
        const prompt = this.#sockets.size ? this.#follow(event.job_id) : null;
        if (!prompt || !this.#sockets.has(prompt.clientId) || event.step === null) return;
        const wasStarted = prompt.started;
        this.#start(event.job_id, prompt);
        if (!wasStarted) this.#send(prompt.clientId, 'executing', { node: prompt.node, display_node: prompt.node, prompt_id: prompt.promptId });
        this.#send(prompt.clientId, 'progress', { value: event.step, max: event.steps ?? event.step, prompt_id: prompt.promptId, node: prompt.node });
        const preview = event.has_preview ? this.#compat.ctx.dispatcher.live(event.job_id)?.preview : null;
        const format = preview ? PREVIEW_FORMAT[preview.mime] : undefined;
        if (preview && format) {
          const header = Buffer.alloc(8);
          header.writeUInt32BE(PREVIEW_IMAGE, 0);
          header.writeUInt32BE(format, 4);
          const frame = Buffer.concat([header, preview.data]);
          for (const socket of this.#sockets.get(prompt.clientId) ?? []) if (socket.readyState === socket.OPEN) socket.send(frame);
        }
        return;
      }
      case 'job.finished': {
        const id = event.job.mobilesd_job_id;
        const prompt = this.#follow(id);
        this.#prompts.delete(id);
        if (!prompt || !this.#sockets.has(prompt.clientId)) return;
        this.#finish(id, prompt);
        return;
      }
      case 'job.deleted':
        this.#prompts.delete(event.job_id);
        return;
      case 'job.updated': {
        // Cancelled before it ran (from the Queue, or POST /queue delete): the client still
        // hears that its prompt ended, so a script waiting for `executing {node: null}` goes on.
        if (event.job.status !== 'cancelled') return;
        const id = event.job.mobilesd_job_id;
        const prompt = this.#follow(id);
        this.#prompts.delete(id);
        if (prompt && this.#sockets.has(prompt.clientId)) this.#finish(id, prompt);
        return;
      }
      default:
    }
  }

  #finish(id: string, prompt: FollowedPrompt): void {
    const row = this.#compat.jobs.get('comfyui', id);
    if (!row) return;
    this.#start(id, prompt);
    const timestamp = this.#compat.ctx.clock.now();
    const client = prompt.clientId;
    const promptId = prompt.promptId;
    if (row.status === 'completed') {
      for (const [node, images] of outputsByNode(row, this.#compat.ctx.gallery.forJob(id))) {
        this.#send(client, 'executing', { node, display_node: node, prompt_id: promptId });
        this.#send(client, 'executed', { node, display_node: node, output: { images }, prompt_id: promptId });
      }
      this.#send(client, 'execution_success', { prompt_id: promptId, timestamp });
    } else if (row.status === 'cancelled') {
      this.#send(client, 'execution_interrupted', { prompt_id: promptId, node_id: prompt.node, node_type: null, executed: [], timestamp });
    } else {
      this.#send(client, 'execution_error', executionErrorData(row, timestamp));
    }
    this.#send(client, 'status', { status: this.#status(client) });
    this.#send(client, 'executing', { node: null, prompt_id: promptId });
  }

  close(): void {
    this.#off();
    for (const set of this.#sockets.values()) for (const socket of set) socket.close();
    this.#sockets.clear();
  }
}
