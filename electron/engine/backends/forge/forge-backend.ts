import type { AxiosInstance } from 'axios';
import type { ServerResource, ServerResourceKind } from '../../../../shared/servers.ts';
import { classifyNetworkError, createBackendHttp, errorForStatus, parseJsonBody } from '../http-client.ts';
import { decodeBase64Image } from '../image-bytes.ts';
import { BackendError } from '../types.ts';
import type { Backend, HealthReport, RunContext, RunnableJob, RunResult, ServerConnection } from '../types.ts';
import { closestCheckpoints, resolveCheckpoint, type CheckpointEntry } from './checkpoint-resolver.ts';
import { parseForgeInfo } from './infotext.ts';
import { buildForgePayload, dropUnknownOverrides } from './payload.ts';
import { pollForgeProgress } from './progress-poller.ts';

const MODEL_LIST_TTL_MS = 60_000;
const PROBE_TIMEOUT_MS = 10_000;

/** SD-WebUI Forge and AUTOMATIC1111 over /sdapi/v1 (backend-apis.md Part 1). */
export class ForgeBackend implements Backend {
  readonly appType = 'forge' as const;
  readonly #server: ServerConnection;
  readonly #http: AxiosInstance;
  #models: { at: number; list: CheckpointEntry[] } | null = null;
  #isForge: boolean | null = null;
  /** The server's option keys (from /options): an override it does not know is a 500 KeyError there. */
  #optionKeys: Set<string> | null = null;

  constructor(server: ServerConnection) {
    this.#server = server;
    this.#http = createBackendHttp(server);
  }

  async #getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    const what = `${this.#server.alias} GET ${path.split('?')[0]}`;
    let res;
    try {
      res = await this.#http.get(path, { signal: signal ?? AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    } catch (error) {
      throw classifyNetworkError(error, signal, what);
    }
    if (res.status !== 200) throw errorForStatus(res.status, res.data, what);
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
      return {
        online: true,
        busy: (progress.state?.job_count ?? 0) > 0,
        loadedCheckpoint: typeof options.sd_model_checkpoint === 'string' ? options.sd_model_checkpoint : null,
        version: isForge ? 'forge' : 'a1111',
        message: 'online',
      };
    } catch (error) {
      const e = error instanceof BackendError ? error : classifyNetworkError(error, signal, this.#server.alias);
      return { online: false, busy: false, loadedCheckpoint: null, version: null, message: e.message };
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

  async run(job: RunnableJob, ctx: RunContext): Promise<RunResult> {
    const what = `${this.#server.alias} ${job.mode}`;
    const checkpointTitle = await this.#resolveTitle(job.params.checkpoint_name);
    const payload = buildForgePayload(job.params, { checkpointTitle, isForge: await this.#detectForge() });
    const dropped = dropUnknownOverrides(payload, this.#optionKeys);
    const stopPolling = pollForgeProgress(this.#http, ctx.onProgress);
    let res;
    try {
      res = await this.#http.post(`/sdapi/v1/${job.mode}`, payload, { signal: ctx.signal, headers: { 'Content-Type': 'application/json' } });
    } catch (error) {
      throw classifyNetworkError(error, ctx.signal, what);
    } finally {
      stopPolling();
    }
    if (res.status !== 200) throw errorForStatus(res.status, res.data, what);
    const body = parseJsonBody(res.data, what) as { images?: unknown; info?: unknown; parameters?: unknown };
    if (!body || typeof body !== 'object' || !('images' in body) || (body.images !== null && !Array.isArray(body.images))) {
      throw new BackendError('transient', `${what}: response has no images list (unexpected shape)`, { details: body });
    }
    const info = parseForgeInfo(body.info);
    const images = [];
    for (const [i, encoded] of ((body.images as unknown[] | null) ?? []).entries()) {
      const data = decodeBase64Image(encoded);
      if (!data) throw new BackendError('transient', `${what}: image ${i} is not valid base64 image data`);
      images.push({
        data,
        seed: Array.isArray(info.all_seeds) && typeof info.all_seeds[i] === 'number' ? info.all_seeds[i] : (i === 0 && typeof info.seed === 'number' ? info.seed : null),
        infotext: Array.isArray(info.infotexts) && typeof info.infotexts[i] === 'string' ? info.infotexts[i] : null,
      });
    }
    const details: Record<string, unknown> = {
      seed: info.seed ?? null,
      all_seeds: info.all_seeds ?? null,
      sd_model_name: info.sd_model_name ?? null,
      sd_model_hash: info.sd_model_hash ?? null,
      checkpoint_title: checkpointTitle,
      ...(dropped.length ? { dropped_override_settings: dropped } : {}),
    };
    return { images, interrupted: false, details };
  }

  async cancel(): Promise<void> {
    try {
      await this.#http.post('/sdapi/v1/interrupt', null, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    } catch {
      // The job ends anyway when its request is aborted; interrupt is best effort.
    }
  }

  async refreshModels(kind: 'checkpoints' | 'loras'): Promise<void> {
    await this.#http.post(`/sdapi/v1/refresh-${kind}`, null, { signal: AbortSignal.timeout(120_000) });
    this.#models = null;
  }
}
