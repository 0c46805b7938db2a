import type { AxiosInstance } from 'axios';
import { classifyNetworkError, createBackendHttp, errorForStatus, parseJsonBody } from '../http-client.ts';
import { BackendError, type ServerConnection } from '../types.ts';
import { rejectionError } from './node-errors.ts';
import type { ComfyGraph } from './workflow.ts';

/** Short REST calls get this long; a generation itself is followed over the WebSocket. */
const CALL_TIMEOUT_MS = 15_000;
const VIEW_TIMEOUT_MS = 120_000;

export interface OutputFile {
  filename: string;
  subfolder: string;
  type: string;
}

export interface HistoryEntry {
  /** `[number, prompt_id, graph, extra_data, outputs_to_execute]` */
  prompt?: unknown[];
  outputs?: Record<string, Record<string, unknown>>;
  status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
}

/** Where a prompt is on the server: waiting, running, finished (with its history), or unknown there. */
export type Whereabouts =
  | { state: 'pending' | 'running'; graph: ComfyGraph | null }
  | { state: 'done'; entry: HistoryEntry }
  | { state: 'gone' };

export interface QueuedPrompt {
  prompt_id: string;
  number: number;
  node_errors: Record<string, unknown>;
}

type QueueItem = [number, string, ComfyGraph, Record<string, unknown>, string[]];

/** The ComfyUI REST calls (server.py), each classified into our BackendError kinds. */
export class ComfyHttp {
  readonly #http: AxiosInstance;
  readonly #alias: string;

  constructor(server: ServerConnection) {
    this.#http = createBackendHttp(server);
    this.#alias = server.alias;
  }

  // A call's own timeout is combined with the job's signal; errors are classified against
  // the job's signal only, so a timed-out call is "transient", not "cancelled".
  async #request(method: 'GET' | 'POST', path: string, opts: { body?: unknown; signal?: AbortSignal; timeoutMs?: number; binary?: boolean } = {}) {
    const what = `${this.#alias} ${method} ${path.split('?')[0]}`;
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? CALL_TIMEOUT_MS);
    try {
      return await this.#http.request({
        method,
        url: path,
        data: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        headers: opts.body === undefined ? undefined : { 'Content-Type': 'application/json' },
        responseType: opts.binary ? 'arraybuffer' : 'text',
        signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
      });
    } catch (error) {
      throw classifyNetworkError(error, opts.signal, what);
    }
  }

  async getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    const res = await this.#request('GET', path, { signal });
    const what = `${this.#alias} GET ${path.split('?')[0]}`;
    if (res.status !== 200) throw errorForStatus(res.status, res.data, what);
    return parseJsonBody(res.data, what);
  }

  async #post(path: string, body: unknown, signal?: AbortSignal): Promise<void> {
    const res = await this.#request('POST', path, { body, signal });
    if (res.status !== 200) throw errorForStatus(res.status, res.data, `${this.#alias} POST ${path}`);
  }

  /** POST /upload/image: puts a picture in the server's input folder; answers the name a LoadImage node takes. */
  async uploadImage(bytes: Buffer, fileName: string, signal?: AbortSignal): Promise<string> {
    const what = `${this.#alias} POST /upload/image`;
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), fileName);
    form.append('type', 'input');
    form.append('overwrite', 'true');
    const timeout = AbortSignal.timeout(CALL_TIMEOUT_MS);
    let res;
    try {
      res = await this.#http.post('/upload/image', form, { responseType: 'text', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      throw classifyNetworkError(error, signal, what);
    }
    if (res.status !== 200) throw errorForStatus(res.status, res.data, what);
    const answer = parseJsonBody(res.data, what) as { name?: unknown; subfolder?: unknown };
    if (typeof answer?.name !== 'string') throw new BackendError('transient', `${what}: answer has no name`, { details: answer });
    return typeof answer.subfolder === 'string' && answer.subfolder ? `${answer.subfolder}/${answer.name}` : answer.name;
  }

  /** POST /prompt. A 400 (validation, node_errors) is permanent and names the nodes. */
  async queuePrompt(body: Record<string, unknown>, graph: ComfyGraph, signal?: AbortSignal): Promise<QueuedPrompt> {
    const what = `${this.#alias} POST /prompt`;
    const res = await this.#request('POST', '/prompt', { body, signal });
    if (res.status === 400) {
      let parsed: unknown = res.data;
      try { parsed = JSON.parse(res.data as string); } catch { /* keep the text */ }
      throw rejectionError(400, parsed, graph);
    }
    if (res.status !== 200) throw errorForStatus(res.status, res.data, what);
    const answer = parseJsonBody(res.data, what) as Partial<QueuedPrompt>;
    if (!answer || typeof answer.prompt_id !== 'string') {
      throw new BackendError('transient', `${what}: answer has no prompt_id`, { details: answer });
    }
    return { prompt_id: answer.prompt_id, number: Number(answer.number ?? 0), node_errors: answer.node_errors ?? {} };
  }

  async queue(signal?: AbortSignal): Promise<{ running: QueueItem[]; pending: QueueItem[] }> {
    const body = await this.getJson('/queue', signal) as { queue_running?: QueueItem[]; queue_pending?: QueueItem[] };
    return { running: body.queue_running ?? [], pending: body.queue_pending ?? [] };
  }

  /** POST /queue {delete}: removes prompts that wait; a running one is not touched. */
  deleteQueued(promptIds: string[], signal?: AbortSignal): Promise<void> {
    return this.#post('/queue', { delete: promptIds }, signal);
  }

  /** POST /interrupt {prompt_id}: stops that prompt only if it is the one running. */
  interrupt(promptId: string, signal?: AbortSignal): Promise<void> {
    return this.#post('/interrupt', { prompt_id: promptId }, signal);
  }

  /** GET /history/{id}: the entry, or null while the prompt is unknown or still running. */
  /** POST /free: drops the loaded models and frees the GPU's memory. */
  free(signal?: AbortSignal): Promise<void> {
    return this.#post('/free', { unload_models: true, free_memory: true }, signal);
  }

  async history(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | null> {
    const body = await this.getJson(`/history/${encodeURIComponent(promptId)}`, signal) as Record<string, HistoryEntry>;
    const entry = body && typeof body === 'object' ? body[promptId] : undefined;
    return entry && typeof entry === 'object' ? entry : null;
  }

  /**
   * Finds a prompt: /queue first, then /history. In that order a prompt that finishes
   * between the two calls is still found (history is written before it leaves the queue).
   */
  async locate(promptId: string, signal?: AbortSignal): Promise<Whereabouts> {
    const { running, pending } = await this.queue(signal);
    const queued = running.find((item) => item[1] === promptId) ?? pending.find((item) => item[1] === promptId);
    if (queued) {
      const graph = queued[2] && typeof queued[2] === 'object' ? queued[2] : null;
      return { state: running.some((item) => item[1] === promptId) ? 'running' : 'pending', graph };
    }
    const entry = await this.history(promptId, signal);
    return entry ? { state: 'done', entry } : { state: 'gone' };
  }

  /**
   * The prompt whose extra_data[key] is `value`, queued or among the recent history
   * entries; null when none is. History entries keep the queue item, extra_data included.
   */
  async findByExtraData(key: string, value: string, signal?: AbortSignal): Promise<string | null> {
    const { running, pending } = await this.queue(signal);
    const queued = [...running, ...pending].find((item) => item[3]?.[key] === value);
    if (queued) return queued[1];
    const recent = await this.getJson('/history?max_items=200', signal) as Record<string, HistoryEntry>;
    for (const [id, entry] of Object.entries(recent ?? {})) {
      const extra = entry?.prompt?.[3] as Record<string, unknown> | undefined;
      if (extra?.[key] === value) return id;
    }
    return null;
  }

  /** GET /view: the file's bytes exactly as ComfyUI wrote them. */
  async view(file: OutputFile, signal?: AbortSignal): Promise<Buffer> {
    const query = new URLSearchParams({ filename: file.filename, subfolder: file.subfolder ?? '', type: file.type ?? 'output' });
    const res = await this.#request('GET', `/view?${query}`, { signal, timeoutMs: VIEW_TIMEOUT_MS, binary: true });
    if (res.status !== 200) throw errorForStatus(res.status, Buffer.from(res.data as ArrayBuffer).toString('utf8'), `${this.#alias} GET /view ${file.filename}`);
    return Buffer.from(res.data as ArrayBuffer);
  }

  objectInfo(nodeClass: string, signal?: AbortSignal): Promise<unknown> {
    return this.getJson(`/object_info/${encodeURIComponent(nodeClass)}`, signal);
  }

  async modelFolder(folder: string, signal?: AbortSignal): Promise<string[]> {
    const list = await this.getJson(`/models/${encodeURIComponent(folder)}`, signal);
    return Array.isArray(list) ? list.map(String) : [];
  }
}
