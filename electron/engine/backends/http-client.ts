import axios, { type AxiosInstance, isAxiosError } from 'axios';
import http from 'node:http';
import https from 'node:https';
import { guardedLookup } from '../net/guarded-lookup.ts';
import { BackendError } from './types.ts';
import type { ServerConnection } from './types.ts';

// Our own keep-alive agents without a socket timeout: a 10-minute generation must not be
// cut by any library default. Each attempt brings its own deadline as an AbortSignal.
// guardedLookup refuses a name that resolves to a link-local/metadata address at connect time.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64, lookup: guardedLookup });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64, lookup: guardedLookup });

/** Biggest backend response we accept (a batch of large PNGs in base64). */
export const MAX_BACKEND_RESPONSE_BYTES = 512 * 1024 * 1024;

/** An axios client for one server: no redirects, no default timeout, basic auth if set. */
export function createBackendHttp(server: ServerConnection): AxiosInstance {
  return axios.create({
    baseURL: server.apiUrl.replace(/\/+$/, ''),
    timeout: 0,
    maxRedirects: 0,
    httpAgent,
    httpsAgent,
    proxy: false,
    maxContentLength: MAX_BACKEND_RESPONSE_BYTES,
    maxBodyLength: MAX_BACKEND_RESPONSE_BYTES,
    auth: server.username ? { username: server.username, password: server.password ?? '' } : undefined,
    // We classify statuses ourselves.
    validateStatus: () => true,
    // Parse JSON ourselves so a malformed body is a clear transient error, not a string.
    transformResponse: [(data: unknown) => data],
    responseType: 'text',
    headers: { 'User-Agent': 'StableQueue/0.1', Accept: 'application/json' },
  });
}

const OFFLINE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Turns a thrown axios/network error into a BackendError with the right retry class. */
export function classifyNetworkError(error: unknown, signal: AbortSignal | undefined, what: string): BackendError {
  if (error instanceof BackendError) return error;
  if (signal?.aborted) {
    const reason = signal.reason as unknown;
    if (reason instanceof BackendError) return reason;
    return new BackendError('cancelled', `${what}: cancelled`, { cause: error });
  }
  if (isAxiosError(error)) {
    const code = error.code ?? '';
    if (OFFLINE_CODES.has(code)) return new BackendError('offline', `${what}: server unreachable (${code})`, { cause: error });
    if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(error.message)) {
      return new BackendError('permanent', `${what}: response larger than ${MAX_BACKEND_RESPONSE_BYTES} bytes`, { cause: error });
    }
    return new BackendError('transient', `${what}: ${code || 'network error'} ${error.message}`.trim(), { cause: error });
  }
  return new BackendError('transient', `${what}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** Parses a JSON response body; a malformed body is a transient error (truncated, proxy page…). */
export function parseJsonBody(body: unknown, what: string): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    throw new BackendError('transient', `${what}: malformed JSON from server (${body.length} bytes: ${JSON.stringify(body.slice(0, 80))})`);
  }
}

/** The readable part of an A1111/Forge/FastAPI error body. */
export function describeErrorBody(body: unknown): string {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try { parsed = JSON.parse(body); } catch { return body.slice(0, 300); }
  }
  if (parsed && typeof parsed === 'object') {
    const o = parsed as Record<string, unknown>;
    if (Array.isArray(o.detail)) {
      return o.detail.map((d) => {
        const item = d as Record<string, unknown>;
        const loc = Array.isArray(item.loc) ? item.loc.join('.') : '';
        return `${loc ? `${loc}: ` : ''}${String(item.msg ?? '')}`;
      }).join('; ');
    }
    const parts = [o.error, o.detail, o.message ?? o.errors].filter((v) => typeof v === 'string' && v) as string[];
    if (parts.length) return [...new Set(parts)].join(': ');
  }
  return JSON.stringify(parsed).slice(0, 300);
}

/** Maps an HTTP error status to a BackendError kind: 5xx/429/408 retry, other 4xx are final. */
export function errorForStatus(status: number, body: unknown, what: string): BackendError {
  const text = describeErrorBody(body);
  if (status === 401 || status === 403) {
    return new BackendError('permanent', `${what}: server refused our credentials (${status}${text ? `: ${text}` : ''}); check the server's username and password`, { status, details: body });
  }
  const kind = status >= 500 || status === 429 || status === 408 ? 'transient' : 'permanent';
  return new BackendError(kind, `${what}: HTTP ${status}${text ? ` — ${text}` : ''}`, { status, details: body });
}
