import type { GalleryFacets, GalleryFilter, GalleryImage, GalleryPage } from '../../../shared/images.ts';
import type {
  GenerateRequest,
  JobListResponse,
  JobStatusResponse,
  JobSummary,
  ReorderRequest,
} from '../../../shared/jobs.ts';
import type {
  ServerCreate,
  ServerPauseRequest,
  ServerResource,
  ServerResourceKind,
  ServerProbe,
  ServerTestResult,
  ServerUpdate,
  ServerView,
} from '../../../shared/servers.ts';
import { LAUNCH_TOKEN_HEADER, LAUNCH_TOKEN_QUERY } from '../../../shared/launch-token.ts';
import type { BackupList, BackupView, OpsStatus } from '../../../shared/ops.ts';
import { ApiRequestError, fallbackMessage, isApiErrorBody } from './errors.ts';
import type {
  ApiKeyCreate,
  ApiKeyCreated,
  ApiKeyUpdate,
  ApiKeyView,
  AuthSession,
  GalleryQuery,
  Health,
  JobListQuery,
  QueueState,
  Settings,
  SettingsUpdate,
} from './types.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Origin of the engine, e.g. http://127.0.0.1:3000. Empty = same origin (relative URLs). */
  base?: string;
  /** Desktop launch token: sent as X-StableQueue-Launch-Token and ?launch_token= on URLs. */
  token?: string;
  fetch?: FetchLike;
  /** Called when any request answers 401 (a password is set and the session is gone). */
  onUnauthorized?: (err: ApiRequestError) => void;
}

type Query = Record<string, string | number | boolean | null | undefined | readonly string[]>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export const TOKEN_HEADER = LAUNCH_TOKEN_HEADER;

export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

/** One typed client over the engine's HTTP API. Holds no DOM state; fetch is injectable. */
export class ApiClient {
  readonly base: string;
  readonly token: string | undefined;
  private readonly fetchImpl: FetchLike;
  onUnauthorized: ((err: ApiRequestError) => void) | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.base = (options.base ?? '').replace(/\/+$/, '');
    this.token = options.token || undefined;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.onUnauthorized = options.onUnauthorized;
  }

  /** Absolute-or-relative URL for an API path, without the token. */
  url(path: string, query?: Query): string {
    return `${this.base}${path}${buildQuery(query)}`;
  }

  /**
   * URL for things the browser loads itself (img src, download links, EventSource),
   * which cannot carry headers: adds ?launch_token= when there is a token.
   */
  assetUrl(path: string | null | undefined, query?: Query): string {
    if (!path) return '';
    if (/^(data:|blob:)/.test(path)) return path;
    const absolute = /^https?:\/\//.test(path);
    const [p, existing = ''] = path.split('?', 2) as [string, string?];
    const params = new URLSearchParams(existing);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    if (this.token) params.set(LAUNCH_TOKEN_QUERY, this.token);
    const qs = params.toString();
    return `${absolute ? '' : this.base}${p}${qs ? `?${qs}` : ''}`;
  }

  eventsUrl(): string {
    return this.assetUrl('/api/v1/events');
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (this.token) headers[TOKEN_HEADER] = this.token;

    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body,
        signal: options.signal,
        credentials: 'same-origin',
      });
    } catch (cause) {
      if ((cause as { name?: string })?.name === 'AbortError') throw cause;
      throw new ApiRequestError(
        0,
        'network_error',
        'Cannot reach StableQueue. Check that it is running and that this device is on the same network.',
        { cause: String(cause) },
      );
    }

    if (res.status === 204 || res.status === 205) return undefined as T;
    const text = await res.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!res.ok) {
      const retryAfter = Number(res.headers.get('Retry-After'));
      const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
      const err = isApiErrorBody(data)
        ? new ApiRequestError(res.status, data.error, data.message, data.details, retryAfterSeconds)
        : new ApiRequestError(res.status, `http_${res.status}`, fallbackMessage(res.status), data, retryAfterSeconds);
      if (res.status === 401) this.onUnauthorized?.(err);
      throw err;
    }
    return data as T;
  }

  /**
   * A request whose answer is a file to save (a zip): the body as a Blob and the name the
   * engine gave it in Content-Disposition. Errors are read as for `request`.
   */
  async requestFile(method: string, path: string, options: RequestOptions = {}): Promise<{ blob: Blob; filename: string | null }> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers[TOKEN_HEADER] = this.token;
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        credentials: 'same-origin',
      });
    } catch (cause) {
      if ((cause as { name?: string })?.name === 'AbortError') throw cause;
      throw new ApiRequestError(0, 'network_error', 'Cannot reach StableQueue. Check that it is running and that this device is on the same network.', { cause: String(cause) });
    }
    if (!res.ok) {
      let data: unknown;
      try {
        data = await res.json();
      } catch {
        data = undefined;
      }
      const err = isApiErrorBody(data)
        ? new ApiRequestError(res.status, data.error, data.message, data.details)
        : new ApiRequestError(res.status, `http_${res.status}`, fallbackMessage(res.status), data);
      if (res.status === 401) this.onUnauthorized?.(err);
      throw err;
    }
    const disposition = res.headers.get('Content-Disposition') ?? '';
    const filename = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? null;
    return { blob: await res.blob(), filename };
  }

  // ---- health
  health(): Promise<Health> {
    return this.request('GET', '/api/v1/health');
  }

  // ---- operations: backups, disk space, recovery, diagnostics
  opsStatus(): Promise<OpsStatus> {
    return this.request('GET', '/api/v1/ops/status');
  }
  listBackups(): Promise<BackupList> {
    return this.request('GET', '/api/v1/backups');
  }
  createBackup(): Promise<BackupView> {
    return this.request('POST', '/api/v1/backups');
  }
  requestRestore(name: string): Promise<{ backup: BackupView; restart_required: boolean; message: string }> {
    return this.request('POST', '/api/v1/backups/restore', { body: { name } });
  }
  cancelRestore(): Promise<{ pending_restore: null }> {
    return this.request('DELETE', '/api/v1/backups/restore');
  }
  /** The diagnostics zip, for a download link. */
  diagnosticsUrl(): string {
    return this.assetUrl('/api/v1/diagnostics');
  }

  // ---- servers
  listServers(): Promise<ServerView[]> {
    return this.request('GET', '/api/v1/servers');
  }
  getServer(alias: string): Promise<ServerView> {
    return this.request('GET', `/api/v1/servers/${enc(alias)}`);
  }
  createServer(body: ServerCreate): Promise<ServerView> {
    return this.request('POST', '/api/v1/servers', { body });
  }
  updateServer(alias: string, body: ServerUpdate): Promise<ServerView> {
    return this.request('PUT', `/api/v1/servers/${enc(alias)}`, { body });
  }
  deleteServer(alias: string): Promise<void> {
    return this.request('DELETE', `/api/v1/servers/${enc(alias)}`);
  }
  /** Finishes its current job and takes no new one; `unload` also frees its GPU then. */
  pauseServer(alias: string, body: ServerPauseRequest = {}): Promise<ServerView> {
    return this.request('POST', `/api/v1/servers/${enc(alias)}/pause`, { body });
  }
  resumeServer(alias: string): Promise<ServerView> {
    return this.request('POST', `/api/v1/servers/${enc(alias)}/resume`);
  }
  testServer(alias: string): Promise<ServerTestResult> {
    return this.request('POST', `/api/v1/servers/${enc(alias)}/test`);
  }
  /** Tries a connection before it is saved; nothing is stored. */
  probeServer(body: ServerProbe): Promise<ServerTestResult> {
    return this.request('POST', '/api/v1/servers/test', { body });
  }
  async serverResources(alias: string, kind: ServerResourceKind, signal?: AbortSignal): Promise<ServerResource[]> {
    const res = await this.request<{ items: ServerResource[] } | ServerResource[]>(
      'GET',
      `/api/v1/servers/${enc(alias)}/resources/${kind}`,
      { signal },
    );
    return Array.isArray(res) ? res : (res?.items ?? []);
  }

  // ---- jobs
  /** Jobs from this UI say so; the engine labels a job that names no source `api`. */
  generate(body: GenerateRequest): Promise<{ mobilesd_job_id: string }> {
    return this.request('POST', '/api/v1/generate', { body: { ...body, source_info: body.source_info ?? 'web_ui' } });
  }
  listJobs(query: JobListQuery = {}, signal?: AbortSignal): Promise<JobListResponse> {
    return this.request('GET', '/api/v1/queue/jobs', {
      query: { status: query.status, app_type: query.app_type, q: query.q, limit: query.limit, offset: query.offset },
      signal,
    });
  }
  /** One job in the queue list's shape (what the store keeps). */
  job(id: string, signal?: AbortSignal): Promise<JobSummary> {
    return this.request('GET', `/api/v1/queue/jobs/${enc(id)}`, { signal });
  }
  jobStatus(id: string, signal?: AbortSignal): Promise<JobStatusResponse> {
    return this.request('GET', `/api/v1/queue/jobs/${enc(id)}/status`, { signal });
  }
  jobPreviewUrl(id: string, bust?: string | number): string {
    return this.assetUrl(`/api/v1/queue/jobs/${enc(id)}/preview`, { t: bust });
  }
  cancelJob(id: string): Promise<unknown> {
    return this.request('POST', `/api/v1/queue/jobs/${enc(id)}/cancel`);
  }
  retryJob(id: string): Promise<unknown> {
    return this.request('POST', `/api/v1/queue/jobs/${enc(id)}/retry`);
  }
  requeueJob(id: string): Promise<{ mobilesd_job_id: string }> {
    return this.request('POST', `/api/v1/queue/jobs/${enc(id)}/requeue`);
  }
  reorderJob(id: string, body: ReorderRequest): Promise<unknown> {
    return this.request('POST', `/api/v1/queue/jobs/${enc(id)}/reorder`, { body });
  }
  setJobPriority(id: string, priority: number): Promise<unknown> {
    return this.request('PUT', `/api/v1/queue/jobs/${enc(id)}/priority`, { body: { priority } });
  }
  deleteJob(id: string): Promise<void> {
    return this.request('DELETE', `/api/v1/queue/jobs/${enc(id)}`);
  }

  // ---- queue
  queueState(): Promise<QueueState> {
    return this.request('GET', '/api/v1/queue/state');
  }
  pauseQueue(): Promise<QueueState> {
    return this.request('POST', '/api/v1/queue/pause');
  }
  resumeQueue(): Promise<QueueState> {
    return this.request('POST', '/api/v1/queue/resume');
  }
  clearFinished(): Promise<{ cleared: number }> {
    return this.request('POST', '/api/v1/queue/clear');
  }

  // ---- gallery
  galleryImages(query: GalleryQuery = {}, signal?: AbortSignal): Promise<GalleryPage> {
    return this.request('GET', '/api/v1/gallery/images', { query: { ...query }, signal });
  }
  /** How many matching images have each checkpoint, LoRA, sampler, size, server, source and rating. */
  galleryFacets(query: GalleryFilter = {}, signal?: AbortSignal): Promise<GalleryFacets> {
    return this.request('GET', '/api/v1/gallery/facets', { query: { ...query }, signal });
  }
  image(id: number): Promise<GalleryImage> {
    return this.request('GET', `/api/v1/images/${id}`);
  }
  deleteImage(id: number): Promise<void> {
    return this.request('DELETE', `/api/v1/images/${id}`);
  }

  // ---- settings
  getSettings(): Promise<Settings> {
    return this.request('GET', '/api/v1/settings');
  }
  updateSettings(patch: SettingsUpdate): Promise<Settings> {
    return this.request('PUT', '/api/v1/settings', { body: patch });
  }

  // ---- auth (used once a password is set)
  authSession(): Promise<AuthSession> {
    return this.request('GET', '/api/v1/auth/session');
  }
  login(password: string): Promise<unknown> {
    return this.request('POST', '/api/v1/auth/login', { body: { password } });
  }

  // ---- API keys (for extensions and scripts)
  async listApiKeys(): Promise<ApiKeyView[]> {
    return (await this.request<{ keys: ApiKeyView[] }>('GET', '/api/v1/api-keys')).keys;
  }
  createApiKey(body: ApiKeyCreate): Promise<ApiKeyCreated> {
    return this.request('POST', '/api/v1/api-keys', { body });
  }
  updateApiKey(id: string, body: ApiKeyUpdate): Promise<ApiKeyView> {
    return this.request('PUT', `/api/v1/api-keys/${enc(id)}`, { body });
  }
  deleteApiKey(id: string): Promise<unknown> {
    return this.request('DELETE', `/api/v1/api-keys/${enc(id)}`);
  }
}

let current: ApiClient | null = null;

/** The app's client. Stores call this; tests install their own with setApiClient. */
export function useApi(): ApiClient {
  if (!current) current = new ApiClient();
  return current;
}

export function setApiClient(client: ApiClient): void {
  current = client;
}
