import type { AxiosInstance } from 'axios';
import { randomUUID } from 'node:crypto';
import type { ServerResource, ServerResourceKind } from '../../../../shared/servers.ts';
import { classifyNetworkError, createBackendHttp, parseJsonBody } from '../http-client.ts';
import { BackendError } from '../types.ts';
import type { Backend, HealthReport, RunContext, RunnableJob, RunResult, ServerConnection } from '../types.ts';
import { closestCheckpoints, resolveCheckpoint, type CheckpointEntry } from '../checkpoint-resolver.ts';
import { forgeErrorForStatus } from './forge-errors.ts';
import { splitForgeImages } from './forge-results.ts';
import { parseForgeInfo } from './infotext.ts';
import { buildForgePayload, dropUnknownOverrides } from './payload.ts';
import { pollForgeProgress } from './progress-poller.ts';
import { alwaysonArgWarnings, missingAlwaysonScripts, type ScriptInfoEntry } from './script-check.ts';
import { ForgeTaskStatus } from './task-status.ts';

const MODEL_LIST_TTL_MS = 60_000;
const SCRIPT_INFO_TTL_MS = 60_000;
const PROBE_TIMEOUT_MS = 10_000;
/** Refresh routes wait for the server's queue lock, i.e. for a running generation to end. */
const REFRESH_TIMEOUT_MS = 30 * 60_000;
/** How often an abandoned task is checked so it can be stopped the moment it starts. */
const ABANDONED_POLL_MS = 100;
/** An abandoned task that is neither queued nor running for this long has gone. */
const ABANDONED_GONE_MS = 10_000;
const ABANDONED_MAX_MS = 2 * 60 * 60_000;

/** Our request for one job on this server: its task id, and how to drop our end of it. */
interface InFlight {
  taskId: string;
  abort: AbortController;
}

/** SD-WebUI Forge and AUTOMATIC1111 over /sdapi/v1. */
export class ForgeBackend implements Backend {
  readonly appType = 'forge' as const;
  readonly #server: ServerConnection;
  readonly #http: AxiosInstance;
  #models: { at: number; list: CheckpointEntry[] } | null = null;
  #isForge: boolean | null = null;
  /** The server's option keys (from /options): an override it does not know is a 500 KeyError there. */
  #optionKeys: Set<string> | null = null;
  #scriptInfo: { at: number; list: ScriptInfoEntry[] | null } | null = null;
  readonly #taskStatus: ForgeTaskStatus;
  /** Requests sent for a job whose outcome we have not read yet, by job id (cancel needs the task id). */
  readonly #inFlight = new Map<string, InFlight>();
  /** Timers of abandoned tasks being watched (cleared by close()). */
  readonly #watchers = new Set<NodeJS.Timeout>();

  constructor(server: ServerConnection) {
    this.#server = server;
    this.#http = createBackendHttp(server);
    this.#taskStatus = new ForgeTaskStatus(this.#http);
  }

  async #getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    const what = `${this.#server.alias} GET ${path.split('?')[0]}`;
    let res;
    try {
      res = await this.#http.get(path, { signal: signal ?? AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    } catch (error) {
      throw classifyNetworkError(error, signal, what);
    }
    if (res.status !== 200) throw forgeErrorForStatus(res.status, res.data, what);
    return parseJsonBody(res.data, what);
  }

  async #detectForge(signal?: AbortSignal): Promise<boolean> {
    if (this.#isForge !== null) return this.#isForge;
    try {
      const res = await this.#http.get('/sdapi/v1/sd-modules', { signal: signal ?? AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      this.#isForge = res.status === 200;
    } catch {
      return false;
    }
    return this.#isForge;
  }

  async checkHealth(signal?: AbortSignal): Promise<HealthReport> {
    try {
      const progress = await this.#getJson('/sdapi/v1/progress?skip_current_image=true', signal) as { state?: { job_count?: number } };
      const options = await this.#getJson('/sdapi/v1/options', signal) as { sd_model_checkpoint?: string };
      this.#optionKeys = new Set(Object.keys(options));
      const isForge = await this.#detectForge(signal);
      await this.#scripts(); // keeps lacksExtensions() current for routing
      const vram = await this.#vram(signal);
      return {
        online: true,
        vram,
        // -1 means a generation has begun and is loading its model: busy too.
        busy: (progress.state?.job_count ?? 0) !== 0,
        loadedCheckpoint: typeof options.sd_model_checkpoint === 'string' ? options.sd_model_checkpoint : null,
        version: isForge ? 'forge' : 'a1111',
        message: 'online',
      };
    } catch (error) {
      const e = error instanceof BackendError ? error : classifyNetworkError(error, signal, this.#server.alias);
      return { online: false, busy: false, loadedCheckpoint: null, version: null, message: e.message };
    }
  }

  /** cuda.system of /sdapi/v1/memory; null on a CPU-only server or when the route fails (it is not worth marking the server offline). */
  async #vram(signal?: AbortSignal): Promise<{ free: number; total: number } | null> {
    try {
      const memory = await this.#getJson('/sdapi/v1/memory', signal) as { cuda?: { system?: { free?: unknown; total?: unknown } } };
      const system = memory.cuda?.system;
      return typeof system?.free === 'number' && typeof system.total === 'number' ? { free: system.free, total: system.total } : null;
    } catch {
      return null;
    }
  }

  async #checkpoints(fresh = false): Promise<CheckpointEntry[]> {
    if (!fresh && this.#models && Date.now() - this.#models.at < MODEL_LIST_TTL_MS) return this.#models.list;
    const list = await this.#getJson('/sdapi/v1/sd-models');
    if (!Array.isArray(list)) throw new BackendError('transient', `${this.#server.alias}: sd-models answered with an unexpected shape`);
    this.#models = { at: Date.now(), list: list as CheckpointEntry[] };
    return this.#models.list;
  }

  async listResources(kind: ServerResourceKind, signal?: AbortSignal): Promise<ServerResource[]> {
    const asList = (value: unknown) => (Array.isArray(value) ? value as Record<string, unknown>[] : []);
    switch (kind) {
      case 'checkpoints':
        return (await this.#checkpoints(true)).map((m) => ({
          name: m.title.replace(/\s*\[[0-9a-f]+\]\s*$/i, ''), title: m.title, hash: m.hash ?? null,
        }));
      case 'loras':
        return asList(await this.#getJson('/sdapi/v1/loras', signal)).map((l) => ({
          name: String(l.name), title: String(l.alias ?? l.name), hash: null,
        }));
      case 'samplers':
        return asList(await this.#getJson('/sdapi/v1/samplers', signal)).map((s) => ({ name: String(s.name), title: String(s.name) }));
      case 'schedulers':
        return asList(await this.#getJson('/sdapi/v1/schedulers', signal)).map((s) => ({ name: String(s.name), title: String(s.label ?? s.name) }));
      case 'vaes': {
        const path = (await this.#detectForge(signal)) ? '/sdapi/v1/sd-modules' : '/sdapi/v1/sd-vae';
        return asList(await this.#getJson(path, signal)).map((v) => ({ name: String(v.model_name), title: String(v.model_name) }));
      }
    }
  }

  async #resolveTitle(name: string | undefined): Promise<string | null> {
    if (!name) return null;
    const found = resolveCheckpoint(name, await this.#checkpoints()) ?? resolveCheckpoint(name, await this.#checkpoints(true));
    if (found) return found.title;
    const suggestions = closestCheckpoints(name, this.#models?.list ?? []);
    throw new BackendError('permanent', `Checkpoint "${name}" is not on server ${this.#server.alias}.${suggestions.length ? ` Closest: ${suggestions.join(', ')}.` : ''}`, {
      details: { checkpoint_name: name, suggestions },
    });
  }

  /** The server's script list (null when it cannot tell us: old server, error). */
  async #scripts(fresh = false): Promise<ScriptInfoEntry[] | null> {
    if (!fresh && this.#scriptInfo && Date.now() - this.#scriptInfo.at < SCRIPT_INFO_TTL_MS) return this.#scriptInfo.list;
    let list: ScriptInfoEntry[] | null = null;
    try {
      const body = await this.#getJson('/sdapi/v1/script-info');
      list = Array.isArray(body) ? body as ScriptInfoEntry[] : null;
    } catch {
      list = null;
    }
    this.#scriptInfo = { at: Date.now(), list };
    return list;
  }

  lacksExtensions(mode: 'txt2img' | 'img2img', titles: string[]): string[] | null {
    const list = this.#scriptInfo?.list;
    return list ? missingAlwaysonScripts(titles, mode, list) : null;
  }

  /**
   * A job whose always-on script the server lacks would be a 422 there: say which extension
   * is missing instead. Returns warnings about scripts whose arguments do not fit.
   */
  async #checkScripts(job: RunnableJob): Promise<string[]> {
    const alwayson = job.params.alwayson_scripts;
    if (!alwayson || typeof alwayson !== 'object' || Object.keys(alwayson).length === 0) return [];
    // Not known at the last health check (so the job passed submit unchecked): ask again now.
    const scripts = await this.#scripts(this.#scriptInfo?.list === null);
    const missing = missingAlwaysonScripts(Object.keys(alwayson), job.mode, scripts);
    if (missing.length === 0) return alwaysonArgWarnings(alwayson as Record<string, unknown>, job.mode, scripts);
    throw new BackendError('permanent', `Server ${this.#server.alias} does not have the extension${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} this job uses; install it there or send the job to a server that has it.`, {
      details: { missing_extensions: missing },
    });
  }

  async run(job: RunnableJob, ctx: RunContext): Promise<RunResult> {
    const what = `${this.#server.alias} ${job.mode}`;
    const checkpointTitle = await this.#resolveTitle(job.params.checkpoint_name);
    const scriptWarnings = await this.#checkScripts(job);
    const taskId = `task(stablequeue-${randomUUID()})`;
    const payload = buildForgePayload(job.params, { checkpointTitle, isForge: await this.#detectForge(), taskId });
    const dropped = dropUnknownOverrides(payload, this.#optionKeys);
    const flight: InFlight = { taskId, abort: new AbortController() };
    this.#inFlight.set(job.id, flight);
    const signal = AbortSignal.any([ctx.signal, flight.abort.signal]);
    const stopPolling = pollForgeProgress(this.#http, taskId, ctx.onProgress);
    let res;
    try {
      res = await this.#http.post(`/sdapi/v1/${job.mode}`, payload, { signal, headers: { 'Content-Type': 'application/json' } });
    } catch (error) {
      // Still on the server (queued or running) unless it never got there: cancel() finds it by job id.
      throw classifyNetworkError(error, signal, what);
    } finally {
      stopPolling();
    }
    this.#inFlight.delete(job.id);
    if (res.status !== 200) throw forgeErrorForStatus(res.status, res.data, what);
    const body = parseJsonBody(res.data, what) as { images?: unknown; info?: unknown; parameters?: unknown };
    if (!body || typeof body !== 'object' || !('images' in body) || (body.images !== null && !Array.isArray(body.images))) {
      throw new BackendError('transient', `${what}: response has no images list (unexpected shape)`, { details: body });
    }
    const info = parseForgeInfo(body.info);
    const split = splitForgeImages((body.images as unknown[] | null) ?? [], info, what);
    // Fewer results than planned: the run was interrupted (here, or from the server's own UI).
    const interrupted = split.expected !== null && split.results.length < split.expected;
    const keepExtras = job.params.keep_extra_images === true;
    const details: Record<string, unknown> = {
      seed: info.seed ?? null,
      all_seeds: info.all_seeds ?? null,
      sd_model_name: info.sd_model_name ?? null,
      sd_model_hash: info.sd_model_hash ?? null,
      checkpoint_title: checkpointTitle,
      task_id: taskId,
      ...(interrupted ? { interrupted_on_server: { images: split.results.length, expected: split.expected } } : {}),
      ...(split.extras.length && !keepExtras ? { extra_images_not_kept: split.extras.length } : {}),
      ...(scriptWarnings.length ? { script_warnings: scriptWarnings } : {}),
      ...(dropped.length ? { dropped_override_settings: dropped } : {}),
    };
    return { images: keepExtras ? [...split.results, ...split.extras] : split.results, interrupted, details };
  }

  /**
   * Stops our job and only ours: `/sdapi/v1/interrupt` stops whatever runs, so it is sent
   * only while our task is the active one. A task still waiting for the server's lock is
   * left alone (the running job may be someone else's); we drop our request at once and
   * interrupt the task the moment it starts, so it never produces a result.
   */
  async cancel(job: RunnableJob): Promise<void> {
    const flight = this.#inFlight.get(job.id);
    if (!flight) return; // nothing of ours is on the server
    this.#inFlight.delete(job.id);
    let status;
    try {
      status = await this.#taskStatus.read(flight.taskId);
    } catch {
      status = 'unknown' as const;
    }
    if (status === 'completed') return;
    if (status === 'active') {
      await this.#interrupt();
      return;
    }
    flight.abort.abort(new BackendError('cancelled', `${this.#server.alias}: cancelled while waiting in the server's queue`));
    this.#watchAbandoned(flight.taskId);
  }

  #watchAbandoned(taskId: string): void {
    const started = Date.now();
    let lastSeen = Date.now();
    const tick = async () => {
      let status;
      try {
        status = await this.#taskStatus.read(taskId);
      } catch {
        status = 'unknown' as const;
      }
      if (status === 'active') {
        await this.#interrupt();
        return;
      }
      if (status === 'queued' || (status === 'unknown' && !this.#taskStatus.knowsQueue)) lastSeen = Date.now();
      if (status === 'completed' || Date.now() - lastSeen > ABANDONED_GONE_MS || Date.now() - started > ABANDONED_MAX_MS) return;
      schedule();
    };
    const schedule = () => {
      const timer = setTimeout(() => {
        this.#watchers.delete(timer);
        void tick();
      }, ABANDONED_POLL_MS);
      timer.unref();
      this.#watchers.add(timer);
    };
    schedule();
  }

  async #interrupt(): Promise<void> {
    try {
      await this.#http.post('/sdapi/v1/interrupt', null, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    } catch {
      // Best effort: the job ends anyway when its request is aborted.
    }
  }

  async unload(signal?: AbortSignal): Promise<void> {
    const res = await this.#http.post('/sdapi/v1/unload-checkpoint', null, { signal });
    if (res.status !== 200) throw forgeErrorForStatus(res.status, res.data, `${this.#server.alias} unload`);
  }

  async refreshModels(kind: 'checkpoints' | 'loras'): Promise<void> {
    await this.#http.post(`/sdapi/v1/refresh-${kind}`, null, { signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS) });
    this.#models = null;
  }

  close(): void {
    for (const timer of this.#watchers) clearTimeout(timer);
    this.#watchers.clear();
  }
}
