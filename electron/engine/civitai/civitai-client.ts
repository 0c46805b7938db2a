import { DEFAULT_BACKOFF, withBackoff, type BackoffPolicy } from './backoff.ts';
import { CivitaiError, civitaiErrorFor } from './civitai-error.ts';
import type {
  CivitaiHashId, CivitaiImage, CivitaiImageParams, CivitaiModel, CivitaiPage, CivitaiSearchParams, CivitaiVersion,
} from './civitai-types.ts';
import { signedUrlExpiry } from './signed-url.ts';

export interface CivitaiClientOptions {
  /** https://civitai.com, or the emulator in tests. */
  baseUrl: string;
  /** The API token from the SecretStore, read per request so a change applies at once. */
  getToken: () => Promise<string | null>;
  userAgent: string;
  timeoutMs?: number;
  backoff?: BackoffPolicy;
  fetch?: typeof fetch;
}

export interface ResolvedDownload {
  /** The short-lived signed storage URL (never sent the token). */
  url: string;
  expiresAt: number | null;
  /** The file came back from the API host itself, without a redirect. */
  direct: boolean;
}

type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined | null>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function appendQuery(url: URL, query: Query | undefined): void {
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
    else url.searchParams.set(key, String(value));
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Civitai's public REST API v1. No redirect is ever followed
 * automatically; the token goes only to the configured Civitai origin, only where it is
 * needed (downloads), never to a signed storage URL; a non-browser User-Agent so errors
 * come back as JSON; 429 and 5xx are retried with exponential backoff.
 */
export class CivitaiClient {
  readonly baseUrl: string;
  readonly origin: string;
  readonly userAgent: string;
  readonly #getToken: () => Promise<string | null>;
  readonly #timeoutMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #fetch: typeof fetch;

  constructor(options: CivitaiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.userAgent = options.userAgent;
    this.#getToken = options.getToken;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** True when `url` is on the Civitai API origin (the only place a token may go). */
  isApiOrigin(url: string): boolean {
    try {
      return new URL(url).origin === this.origin;
    } catch {
      return false;
    }
  }

  /** `Bearer <token>` for a URL on the API origin (a file served without a redirect); null elsewhere. */
  async authorizationFor(url: string): Promise<string | null> {
    if (!this.isApiOrigin(url)) return null;
    const token = await this.#getToken();
    return token ? `Bearer ${token}` : null;
  }

  async #headers(url: URL, withToken: boolean): Promise<{ headers: Record<string, string>; authed: boolean }> {
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, Accept: 'application/json' };
    let authed = false;
    if (withToken && url.origin === this.origin) {
      const token = await this.#getToken();
      if (token) {
        headers.Authorization = `Bearer ${token}`;
        authed = true;
      }
    }
    return { headers, authed };
  }

  #signal(signal?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  }

  #networkError(error: unknown, what: string, signal?: AbortSignal): Error {
    if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
    const name = (error as { name?: string })?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new CivitaiError('timeout', `${what}: Civitai did not answer within ${Math.round(this.#timeoutMs / 1000)} s.`, { cause: error });
    }
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    return new CivitaiError('network', `${what}: cannot reach Civitai (${cause?.code ?? cause?.message ?? (error as Error)?.message ?? 'network error'}).`, { cause: error });
  }

  async #once(method: 'GET' | 'POST', path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal; withToken?: boolean }): Promise<{ json: unknown; text: string }> {
    const url = new URL(`${this.baseUrl}${path}`);
    appendQuery(url, opts.query);
    const what = `Civitai ${method} ${url.pathname}`;
    const { headers, authed } = await this.#headers(url, opts.withToken ?? false);
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    let text: string;
    try {
      res = await this.#fetch(url, { method, headers, body, redirect: 'manual', signal: this.#signal(opts.signal) });
      text = await res.text();
    } catch (error) {
      throw this.#networkError(error, what, opts.signal);
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // keep the text: an HTML error page or a plain message
    }
    if (res.status < 200 || res.status >= 300) {
      throw civitaiErrorFor(res.status, parsed, what, { authed, retryAfter: res.headers.get('retry-after') });
    }
    if (typeof parsed === 'string' || parsed === null) {
      throw new CivitaiError('bad_response', `${what}: Civitai answered ${res.status} without JSON (${(res.headers.get('content-type') ?? 'no content type')}).`, { status: res.status });
    }
    return { json: parsed, text };
  }

  async #request<T>(method: 'GET' | 'POST', path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal; withToken?: boolean } = {}): Promise<T> {
    return (await withBackoff(() => this.#once(method, path, opts), this.#backoff, opts.signal)).json as T;
  }

  /** GET /models: search and browse with cursor paging. */
  searchModels(params: CivitaiSearchParams, signal?: AbortSignal): Promise<CivitaiPage<CivitaiModel>> {
    return this.#request('GET', '/api/v1/models', {
      signal,
      query: {
        limit: params.limit, cursor: params.cursor, query: params.query, ids: params.ids?.length ? params.ids.join(',') : undefined,
        tag: params.tag, username: params.username, types: params.types, baseModels: params.baseModels,
        checkpointType: params.checkpointType, sort: params.sort, period: params.period,
        nsfw: params.nsfw, primaryFileOnly: params.primaryFileOnly, supportsGeneration: params.supportsGeneration,
        earlyAccess: params.earlyAccess,
      },
    });
  }

  getModel(id: number, signal?: AbortSignal): Promise<CivitaiModel> {
    return this.#request('GET', `/api/v1/models/${id}`, { signal });
  }

  /** Bulk model details for update checks: `/models?ids=` in batches of 100. */
  async getModelsByIds(ids: number[], signal?: AbortSignal): Promise<CivitaiModel[]> {
    const out: CivitaiModel[] = [];
    for (const batch of chunks([...new Set(ids)], 100)) {
      let cursor: string | undefined;
      do {
        const page = await this.searchModels({ ids: batch, limit: 100, cursor, nsfw: true }, signal);
        out.push(...page.items);
        cursor = page.metadata?.nextCursor !== undefined && page.metadata.nextCursor !== null ? String(page.metadata.nextCursor) : undefined;
      } while (cursor);
    }
    return out;
  }

  getVersion(id: number, signal?: AbortSignal): Promise<CivitaiVersion> {
    return this.#request('GET', `/api/v1/model-versions/${id}`, { signal });
  }

  /** A version with Civitai's answer text, for `.civitai.info` written byte for byte. */
  async getVersionWithText(id: number, signal?: AbortSignal): Promise<{ version: CivitaiVersion; text: string }> {
    const { json, text } = await withBackoff(() => this.#once('GET', `/api/v1/model-versions/${id}`, { signal }), this.#backoff, signal);
    return { version: json as CivitaiVersion, text };
  }

  /** A version by any stored hash (SHA256, AutoV2, AutoV3…); null when Civitai does not know it. */
  async getVersionByHash(hash: string, signal?: AbortSignal): Promise<CivitaiVersion | null> {
    try {
      return await this.#request<CivitaiVersion>('GET', `/api/v1/model-versions/by-hash/${encodeURIComponent(hash)}`, { signal });
    } catch (error) {
      if (error instanceof CivitaiError && error.kind === 'not_found') return null;
      throw error;
    }
  }

  /** POST /model-versions/by-hash: full versions for ≤100 SHA256 per call. */
  async getVersionsByHashes(hashes: string[], signal?: AbortSignal): Promise<CivitaiVersion[]> {
    const out: CivitaiVersion[] = [];
    for (const batch of chunks(hashes, 100)) {
      out.push(...await this.#request<CivitaiVersion[]>('POST', '/api/v1/model-versions/by-hash', { body: batch, signal }));
    }
    return out;
  }

  /** POST /model-versions/by-hash/ids: cheap bulk identification, ≤10 000 SHA256 per call. */
  async getIdsByHashes(hashes: string[], signal?: AbortSignal): Promise<CivitaiHashId[]> {
    const out: CivitaiHashId[] = [];
    for (const batch of chunks(hashes, 10_000)) {
      out.push(...await this.#request<CivitaiHashId[]>('POST', '/api/v1/model-versions/by-hash/ids', { body: batch, signal }));
    }
    return out;
  }

  getImages(params: CivitaiImageParams, signal?: AbortSignal): Promise<CivitaiPage<CivitaiImage>> {
    return this.#request('GET', '/api/v1/images', { signal, query: { ...params } });
  }

  getEnums(signal?: AbortSignal): Promise<Record<string, string[]>> {
    return this.#request('GET', '/api/v1/enums', { signal });
  }

  /**
   * Asks the download endpoint for the file's signed URL: `/api/download/models/:vid?fileId=`
   * with the token, without following the redirect, so 401/403/404/410/429 are classified.
   */
  resolveDownload(versionId: number, fileId: number, signal?: AbortSignal): Promise<ResolvedDownload> {
    return withBackoff(() => this.#resolveOnce(versionId, fileId, signal), this.#backoff, signal);
  }

  async #resolveOnce(versionId: number, fileId: number, signal?: AbortSignal): Promise<ResolvedDownload> {
    const url = new URL(`${this.baseUrl}/api/download/models/${versionId}`);
    url.searchParams.set('fileId', String(fileId));
    const what = `Download of version ${versionId} file ${fileId}`;
    const { headers, authed } = await this.#headers(url, true);
    let res: Response;
    try {
      res = await this.#fetch(url, { method: 'GET', headers, redirect: 'manual', signal: this.#signal(signal) });
    } catch (error) {
      throw this.#networkError(error, what, signal);
    }
    if (REDIRECTS.has(res.status)) {
      await res.body?.cancel().catch(() => {});
      const location = res.headers.get('location');
      if (!location) throw new CivitaiError('bad_response', `${what}: Civitai redirected without a Location.`, { status: res.status });
      const target = new URL(location, url);
      if (target.origin === this.origin || /(^|\.)civitai\.(com|red)$/i.test(target.hostname)) {
        const reason = target.searchParams.get('reason') ?? '';
        if (target.pathname.startsWith('/login') || reason === 'download-auth') {
          throw civitaiErrorFor(401, { error: 'Unauthorized' }, what, { authed });
        }
        if (reason === 'early-access' || target.pathname.startsWith('/purchase') || target.pathname.startsWith('/pricing')) {
          throw civitaiErrorFor(403, { error: 'Early Access' }, what, { authed });
        }
      }
      return { url: target.toString(), expiresAt: signedUrlExpiry(target.toString()), direct: false };
    }
    const type = res.headers.get('content-type') ?? '';
    if (res.status === 200 && !/json|html|text\//i.test(type)) {
      await res.body?.cancel().catch(() => {});
      return { url: url.toString(), expiresAt: null, direct: true };
    }
    let text = '';
    try {
      text = await res.text();
    } catch {
      // an unreadable error body still has its status
    }
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* HTML or plain text */ }
    if (res.status === 200) {
      throw new CivitaiError('error_body', `${what}: Civitai answered with a ${type.split(';')[0] || 'text'} page instead of the file.`, { status: 200, details: typeof body === 'object' ? body : { body: text.slice(0, 300) } });
    }
    throw civitaiErrorFor(res.status, body, what, { authed, retryAfter: res.headers.get('retry-after') });
  }
}
