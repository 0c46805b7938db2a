import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ServerResource, ServerResourceKind } from '../../../../shared/servers.ts';
import { classifyNetworkError } from '../http-client.ts';
import { imageMime } from '../image-bytes.ts';
import { BackendError } from '../types.ts';
import type { Backend, GeneratedImage, HealthReport, RunContext, RunnableJob, RunResult, ServerConnection } from '../types.ts';
import { ComfyHttp, type HistoryEntry } from './comfy-http.ts';
import { ComfySocket, type SocketEvent, type SocketOptions } from './comfy-socket.ts';
import { allOutputsCached, graphOf, historyOutcome, outputImages } from './history-outputs.ts';
import { executionError } from './node-errors.ts';
import { comboChoices } from './object-info.ts';
import { preparePrompt, type PreparedPrompt } from './prepare-prompt.ts';
import { PromptWatch, DEFAULT_WATCH_TIMING, type WatchEnd, type WatchTiming } from './prompt-watch.ts';
import { seedForOutput, seedsInGraph } from './seeds.ts';
import { capabilitiesOf, type ComfyCapabilities } from './server-version.ts';
import type { ComfyGraph } from './workflow.ts';

export interface ComfyBackendOptions {
  /** Prompts kept waiting in ComfyUI's own queue beyond the running ones, so the GPU never idles (default 1). */
  prefetch?: number;
  socket?: SocketOptions;
  watch?: Partial<WatchTiming>;
  /** Where resubmissions and other notable turns of a job are logged. */
  logger?: Logger;
}

/** Where each model list lives: /object_info combo input, then /models/{folder} as a fallback. */
const CHOICES = {
  checkpoints: { node: 'CheckpointLoaderSimple', input: 'ckpt_name', folder: 'checkpoints' },
  loras: { node: 'LoraLoader', input: 'lora_name', folder: 'loras' },
  vaes: { node: 'VAELoader', input: 'vae_name', folder: 'vae' },
  samplers: { node: 'KSampler', input: 'sampler_name', folder: null },
  schedulers: { node: 'KSampler', input: 'scheduler', folder: null },
} as const;

const CHOICES_TTL_MS = 60_000;
/** How long a job waits for the socket before it submits anyway (the watch then polls). */
const SOCKET_WAIT_MS = 5_000;
/** A server that forgot our prompt (restart) gets it again this many times per attempt. */
const MAX_RESUBMITS = 2;
const WITHDRAW_TIMEOUT_MS = 10_000;

const QUEUED_ON_SERVER = 'Queued on server';
const CANCELLING = 'Cancelling…';
/** The tag in extra_data that finds our prompt on a server that gave it its own id. */
const TAG = 'stablequeue_prompt_id';

/** One job this backend is running: what cancel and take-back need to reach it. */
interface ActiveJob {
  watch: PromptWatch | null;
  /** POST /prompt in flight. */
  submitting: Promise<unknown> | null;
  /** POST /prompt was sent: the prompt may be on the server. */
  sent: boolean;
  withdrawn: 'cancelled' | 'taken_back' | null;
}

/** How much of a server's memory is free: VRAM on a GPU, system RAM on a CPU-only server (`--cpu`). */
function memoryText(stats: { system?: { ram_total?: number; ram_free?: number }; devices?: { name?: string; type?: string; vram_total?: number; vram_free?: number }[] }): string {
  const device = stats.devices?.[0];
  if (!device) return '';
  if (device.type === 'cpu') return ` · CPU only · RAM ${gib(stats.system?.ram_free ?? device.vram_free)} of ${gib(stats.system?.ram_total ?? device.vram_total)} GiB free`;
  return ` · ${device.name ?? 'GPU'} · VRAM ${gib(device.vram_free)} of ${gib(device.vram_total)} GiB free`;
}

/** The first device's VRAM when it is a GPU (a CPU device reports RAM there). */
function gpuMemory(stats: Parameters<typeof memoryText>[0]): { free: number; total: number } | null {
  const device = stats.devices?.[0];
  if (!device || device.type === 'cpu' || typeof device.vram_free !== 'number' || typeof device.vram_total !== 'number') return null;
  return { free: device.vram_free, total: device.vram_total };
}

function gib(bytes: unknown): string {
  return typeof bytes === 'number' ? (bytes / 2 ** 30).toFixed(1) : '?';
}

/**
 * ComfyUI: POST /prompt with our client_id and our own
 * prompt_id, progress and previews over one shared WebSocket, outputs from /history and
 * /view. The prompt_id is stored before the POST, so after a crash the job reattaches to
 * the prompt instead of running it twice.
 */
export class ComfyBackend implements Backend {
  readonly appType = 'comfyui' as const;
  readonly prefetch: number;
  readonly #server: ServerConnection;
  readonly #http: ComfyHttp;
  readonly #socket: ComfySocket;
  readonly #timing: WatchTiming;
  readonly #active = new Map<string, ActiveJob>();
  readonly #watches = new Map<string, PromptWatch>();
  readonly #choices = new Map<string, { at: number; list: string[] }>();
  readonly #log: Logger | null;
  /** What the server can do, by its version; learnt from /system_stats. */
  #capabilities: ComfyCapabilities | null = null;
  /** Our prompt that is executing now: bare type-1 previews carry no prompt_id. */
  #executing: string | null = null;

  constructor(server: ServerConnection, opts: ComfyBackendOptions = {}) {
    this.#server = server;
    this.prefetch = Math.max(0, opts.prefetch ?? 1);
    this.#http = new ComfyHttp(server);
    this.#socket = new ComfySocket(server, (event) => this.#onSocketEvent(event), opts.socket);
    this.#timing = { ...DEFAULT_WATCH_TIMING, ...opts.watch };
    this.#log = opts.logger ?? null;
  }

  /**
   * run() ends by itself after cancel(): once the server's history confirms the interrupt,
   * or the server is seen without the prompt. A node that cannot be interrupted (a long
   * decode) keeps the server busy until then, so the job stays "Cancelling…" that long.
   */
  readonly confirmsCancel = true;

  async #capabilitiesNow(signal?: AbortSignal): Promise<ComfyCapabilities> {
    if (this.#capabilities) return this.#capabilities;
    try {
      const stats = await this.#http.getJson('/system_stats', signal) as { system?: { comfyui_version?: string } };
      this.#capabilities = capabilitiesOf(stats.system?.comfyui_version);
    } catch {
      return capabilitiesOf(null);
    }
    return this.#capabilities;
  }

  /** The WebSocket session id; every prompt we queue carries it as client_id. */
  get clientId(): string {
    return this.#socket.clientId;
  }

  #onSocketEvent(event: SocketEvent): void {
    switch (event.kind) {
      case 'message': {
        const promptId = typeof event.data.prompt_id === 'string' ? event.data.prompt_id : null;
        const watch = promptId ? this.#watches.get(promptId) : undefined;
        if (!watch) return;
        if (event.type === 'execution_start') this.#executing = promptId;
        const ended = ['execution_success', 'execution_error', 'execution_interrupted'].includes(event.type)
          || (event.type === 'executing' && event.data.node == null);
        if (ended && this.#executing === promptId) this.#executing = null;
        watch.handle(event.type, event.data);
        return;
      }
      case 'preview': {
        const promptId = event.preview.promptId ?? this.#executing;
        if (promptId) this.#watches.get(promptId)?.preview(event.preview);
        return;
      }
      case 'open':
      case 'closed':
        // Events sent while the socket was down are lost: every job asks the server.
        for (const watch of this.#watches.values()) watch.recheck();
    }
  }

  async checkHealth(signal?: AbortSignal): Promise<HealthReport> {
    try {
      const stats = await this.#http.getJson('/system_stats', signal) as Parameters<typeof memoryText>[0] & { system?: { comfyui_version?: string } };
      const queue = await this.#http.getJson('/prompt', signal) as { exec_info?: { queue_remaining?: number } };
      this.#capabilities = capabilitiesOf(stats.system?.comfyui_version);
      return {
        online: true,
        busy: (queue.exec_info?.queue_remaining ?? 0) > 0,
        loadedCheckpoint: null,
        version: `ComfyUI ${stats.system?.comfyui_version ?? 'unknown'}`,
        message: `online${memoryText(stats)}`,
        vram: gpuMemory(stats),
      };
    } catch (error) {
      const e = classifyNetworkError(error, signal, this.#server.alias);
      return { online: false, busy: false, loadedCheckpoint: null, version: null, message: e.message };
    }
  }

  async #list(kind: keyof typeof CHOICES, fresh: boolean, signal?: AbortSignal): Promise<string[]> {
    const cached = this.#choices.get(kind);
    if (!fresh && cached && Date.now() - cached.at < CHOICES_TTL_MS) return cached.list;
    const where = CHOICES[kind];
    let list = comboChoices(await this.#http.objectInfo(where.node, signal), where.node, where.input);
    if (list === null && where.folder) list = await this.#http.modelFolder(where.folder, signal);
    this.#choices.set(kind, { at: Date.now(), list: list ?? [] });
    return list ?? [];
  }

  async listResources(kind: ServerResourceKind, signal?: AbortSignal): Promise<ServerResource[]> {
    return (await this.#list(kind, true, signal)).map((name) => ({ name, title: name, hash: null }));
  }

  async unload(signal?: AbortSignal): Promise<void> {
    await this.#http.free(signal);
  }

  async refreshModels(): Promise<void> {
    // ComfyUI rescans its folders on every /object_info; forgetting our copy is enough.
    this.#choices.clear();
  }

  async run(job: RunnableJob, ctx: RunContext): Promise<RunResult> {
    const active: ActiveJob = { watch: null, submitting: null, sent: false, withdrawn: null };
    this.#active.set(job.id, active);
    const releaseSocket = this.#socket.retain();
    try {
      let reattachId = job.backendTaskId;
      let prepared: PreparedPrompt | null = null;
      let resubmitted = 0;
      let searchedTag = false;
      for (let round = 1; ; round++) {
        let watch: PromptWatch;
        if (reattachId !== null) {
          watch = this.#watch(active, reattachId, null, false, ctx);
          active.sent = true;
          // Done, still queued, or gone? The server tells.
          watch.recheck();
        } else {
          prepared ??= await preparePrompt(job, (kind, fresh) => this.#list(kind, fresh, ctx.signal), this.#server.alias, (bytes, name) => this.#http.uploadImage(bytes, name, ctx.signal));
          watch = this.#watch(active, randomUUID(), prepared.graph, true, ctx);
        }
        const reattached = reattachId !== null;
        const end = await this.#follow(active, watch, reattached ? null : prepared, ctx, resubmitted);
        if (end.state === 'gone' && reattached && !active.withdrawn && !searchedTag) {
          // We died between POST /prompt and its answer on a server that names prompts
          // itself: the stored id is ours, the prompt carries it as a tag.
          searchedTag = true;
          const found = await this.#findTagged(watch.promptId, ctx.signal);
          if (found !== null) {
            ctx.onSubmitted(found);
            reattachId = found;
            round--;
            continue;
          }
        }
        // Gone: the server restarted (or a reattached prompt never arrived). A reattached
        // prompt that was interrupted while we were away is run again too.
        const again = end.state === 'gone' || (reattached && !active.withdrawn && historyOutcome(end.entry).kind === 'interrupted');
        if (!again) return await this.#result(end.entry, watch.promptId, prepared, reattached, resubmitted, ctx.signal);
        if (active.withdrawn) throw new BackendError('cancelled', 'Cancelled by user');
        if (round > MAX_RESUBMITS) {
          throw new BackendError('transient', `ComfyUI server ${this.#server.alias} lost prompt ${watch.promptId} (restarted?) ${round} times`);
        }
        resubmitted++;
        this.#log?.warn({ job: job.id, prompt_id: watch.promptId, dir: 'comfyui→engine' }, `ComfyUI lost the prompt (restarted?); sending it again (${resubmitted} of ${MAX_RESUBMITS})`);
        ctx.onProgress({ progress: 0, etaSeconds: null, step: null, steps: null, statusText: resubmittedText(resubmitted) });
        reattachId = null;
      }
    } finally {
      releaseSocket();
      this.#active.delete(job.id);
    }
  }

  /** Queues the prompt (unless reattaching) and waits for its history entry; on abort, takes it off the server. */
  async #follow(active: ActiveJob, watch: PromptWatch, prepared: PreparedPrompt | null, ctx: RunContext, resubmitted: number): Promise<WatchEnd> {
    try {
      if (prepared) await this.#submit(active, watch, prepared, ctx, resubmitted);
      return await watch.waitForEnd(ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted && active.sent) await this.#withdraw(watch.promptId).catch(() => {});
      throw error;
    } finally {
      this.#watches.delete(watch.promptId);
    }
  }

  /** `ours`: queued with our client_id. A reattached prompt was queued by an earlier process. */
  #watch(active: ActiveJob, promptId: string, graph: ComfyGraph | null, ours: boolean, ctx: RunContext): PromptWatch {
    const watch = new PromptWatch(promptId, graph, {
      history: (id, signal) => this.#http.history(id, signal),
      locate: (id, signal) => this.#http.locate(id, signal),
      // A reattached prompt sends its events to the earlier process's client_id, not
      // ours: for it, only polling tells us anything.
      socketOpen: () => ours && this.#socket.isOpen,
      onProgress: ctx.onProgress,
    }, this.#timing);
    // Registered before the POST, so the first events of a fast prompt are not missed.
    this.#watches.set(promptId, watch);
    active.watch = watch;
    active.sent = false;
    return watch;
  }

  async #submit(active: ActiveJob, watch: PromptWatch, prepared: PreparedPrompt, ctx: RunContext, resubmitted: number): Promise<void> {
    await this.#socket.waitOpen(SOCKET_WAIT_MS, ctx.signal);
    if (active.withdrawn) throw new BackendError('cancelled', 'Cancelled by user');
    if (ctx.signal.aborted) throw classifyNetworkError(new Error('aborted'), ctx.signal, this.#server.alias);
    // Stored before the POST: if we die right after it, the restart finds the prompt.
    ctx.onSubmitted(watch.promptId);
    const body = { prompt: prepared.graph, client_id: this.#socket.clientId, prompt_id: watch.promptId, extra_data: { ...prepared.extraData, [TAG]: watch.promptId } };
    active.sent = true;
    const posting = this.#http.queuePrompt(body, prepared.graph, ctx.signal);
    active.submitting = posting;
    try {
      const answer = await posting;
      if (answer.prompt_id !== watch.promptId) {
        // A server older than 0.3.45 named the prompt itself: that id is stored before
        // anything else, so a restart from here on follows it.
        ctx.onSubmitted(answer.prompt_id);
        this.#watches.delete(watch.promptId);
        watch.rename(answer.prompt_id);
        this.#watches.set(answer.prompt_id, watch);
      }
    } catch (error) {
      // The request may have landed although its answer did not: then follow that prompt.
      if (!(error instanceof BackendError && error.kind === 'transient') || ctx.signal.aborted) throw error;
      const where = await this.#http.locate(watch.promptId, ctx.signal).catch(() => null);
      if (!where || where.state === 'gone') throw error;
    } finally {
      active.submitting = null;
    }
    if (!watch.started) ctx.onProgress({ progress: 0, etaSeconds: null, step: null, steps: null, statusText: resubmitted ? resubmittedText(resubmitted) : QUEUED_ON_SERVER });
  }

  /** Deletes the prompt if it still waits in the queue; tells where it is afterwards. */
  async #deleteIfWaiting(promptId: string, signal: AbortSignal): Promise<'deleted' | 'running' | 'finished'> {
    await this.#http.deleteQueued([promptId], signal);
    const where = await this.#http.locate(promptId, signal);
    if (where.state === 'gone') return 'deleted';
    if (where.state === 'done') return 'finished';
    return 'running';
  }

  /**
   * Takes a prompt off the server: delete while it waits, interrupt while it runs. The
   * interrupt is sent only when /queue shows this prompt running: a server older than
   * 0.3.57 ignores the prompt_id and would stop whatever runs, someone else's too.
   */
  async #withdraw(promptId: string): Promise<'deleted' | 'running' | 'finished'> {
    const signal = AbortSignal.timeout(WITHDRAW_TIMEOUT_MS);
    const state = await this.#deleteIfWaiting(promptId, signal);
    if (state === 'running') await this.#http.interrupt(promptId, signal);
    return state;
  }

  /** On a server that names prompts itself, the prompt we tagged with `tag` (queued or in recent history). */
  async #findTagged(tag: string, signal: AbortSignal): Promise<string | null> {
    if ((await this.#capabilitiesNow(signal)).clientPromptId) return null;
    return this.#http.findByExtraData(TAG, tag, signal).catch(() => null);
  }

  async cancel(job: RunnableJob): Promise<void> {
    const active = this.#active.get(job.id);
    if (!active) {
      // Not running here (e.g. its attempt already ended): best effort on the stored id.
      if (job.backendTaskId) await this.#withdraw(job.backendTaskId).catch(() => {});
      return;
    }
    active.withdrawn ??= 'cancelled';
    await active.submitting?.catch(() => {});
    const watch = active.watch;
    // Not queued yet: run() sees `withdrawn` before it posts.
    if (!watch || !active.sent) return;
    try {
      const state = await this.#withdraw(watch.promptId);
      if (state === 'deleted') {
        watch.stop(new BackendError('cancelled', 'Cancelled by user'));
        return;
      }
      // The interrupt lands when the running node ends; until history says so, the job is being cancelled.
      if (state === 'running') watch.announce(CANCELLING);
      watch.recheck();
    } catch {
      watch.recheck();
    }
  }

  /**
   * Takes a job back that only waits in ComfyUI's queue (prefetched), so StableQueue can
   * requeue it after a reorder. False when it already started or finished: then it runs on.
   */
  async takeBack(job: RunnableJob): Promise<boolean> {
    const active = this.#active.get(job.id);
    if (!active || active.withdrawn) return false;
    await active.submitting?.catch(() => {});
    const watch = active.watch;
    if (!active.sent || !watch) {
      active.withdrawn = 'taken_back';
      return true;
    }
    if (watch.started) return false;
    try {
      const state = await this.#deleteIfWaiting(watch.promptId, AbortSignal.timeout(WITHDRAW_TIMEOUT_MS));
      if (state === 'running') watch.markStarted();
      if (state !== 'deleted') return false;
    } catch {
      return false;
    }
    active.withdrawn = 'taken_back';
    watch.stop(new BackendError('cancelled', 'Taken back from the ComfyUI queue'));
    return true;
  }

  async #result(entry: HistoryEntry, promptId: string, prepared: PreparedPrompt | null, reattached: boolean, resubmitted: number, signal: AbortSignal): Promise<RunResult> {
    const graph = graphOf(entry) ?? prepared?.graph ?? null;
    const outcome = historyOutcome(entry);
    if (outcome.kind === 'error') throw executionError(outcome.error, graph);
    const files = outputImages(entry);
    const images: GeneratedImage[] = [];
    const skipped: string[] = [];
    for (const { node, file } of files) {
      const data = await this.#http.view(file, signal);
      // Bytes as ComfyUI wrote them: the PNG keeps its `prompt` and `workflow` chunks.
      if (!imageMime(data)) {
        skipped.push(file.filename);
        continue;
      }
      images.push({ data, seed: graph ? seedForOutput(graph, node) : null, infotext: null });
    }
    const checkpoint = graph && Object.values(graph).find((n) => n.class_type === 'CheckpointLoaderSimple')?.inputs.ckpt_name;
    return {
      images,
      interrupted: outcome.kind === 'interrupted',
      details: {
        prompt_id: promptId,
        seed: images[0]?.seed ?? null,
        seeds: graph ? seedsInGraph(graph) : {},
        checkpoint_title: typeof checkpoint === 'string' ? checkpoint : null,
        reattached,
        // Every output came from ComfyUI's cache: the same workflow ran before and these are its files.
        cached: allOutputsCached(entry),
        ...(resubmitted ? { resubmitted } : {}),
        outputs: files.map(({ node, file }) => ({ node, ...file })),
        ...(skipped.length ? { skipped_outputs: skipped } : {}),
      },
    };
  }

  close(): void {
    this.#socket.close();
  }
}

/** The status text while a prompt ComfyUI lost is queued again. */
function resubmittedText(times: number): string {
  return `Sent again: ComfyUI lost the prompt (restarted?)${times > 1 ? ` · ${times} times` : ''}`;
}
