/**
 * What went wrong talking to Civitai, in words a user can act on.
 * `retryable` errors (429, 5xx, network) are retried with backoff; the others are final.
 */
export type CivitaiErrorKind =
  | 'unauthorized'
  | 'downloads_disabled'
  | 'early_access'
  | 'forbidden'
  | 'not_found'
  | 'gone'
  | 'rate_limited'
  | 'unavailable'
  | 'bad_request'
  | 'bad_response'
  | 'network'
  | 'timeout'
  | 'error_body';

export class CivitaiError extends Error {
  readonly kind: CivitaiErrorKind;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly details: unknown;

  constructor(kind: CivitaiErrorKind, message: string, opts: { status?: number | null; retryAfterMs?: number | null; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'CivitaiError';
    this.kind = kind;
    this.status = opts.status ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.details = opts.details;
    this.retryable = kind === 'rate_limited' || kind === 'unavailable' || kind === 'network' || kind === 'timeout';
  }

  /** The HTTP status StableQueue's own API answers with when passing this error on. */
  get apiStatus(): number {
    switch (this.kind) {
      case 'unauthorized': return 401;
      case 'downloads_disabled':
      case 'early_access':
      case 'forbidden': return 403;
      case 'not_found': return 404;
      case 'gone': return 410;
      case 'rate_limited': return 429;
      case 'bad_request': return 400;
      default: return 502;
    }
  }
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const parts = [b.error, b.message].filter((v) => typeof v === 'string') as string[];
    return parts.join(' ');
  }
  return '';
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/**
 * Maps a non-2xx Civitai answer to an error. `what` names the request in the message;
 * `authed` tells whether a token was sent (a 401 then means the token is wrong).
 */
export function civitaiErrorFor(status: number, body: unknown, what: string, opts: { authed: boolean; retryAfter?: string | null }): CivitaiError {
  const text = bodyText(body);
  const lower = text.toLowerCase();
  const details = typeof body === 'object' && body !== null ? body : text ? { body: text.slice(0, 500) } : undefined;
  switch (status) {
    case 401:
      if (lower.includes('disabled downloads')) {
        return new CivitaiError('downloads_disabled', `${what}: the creator has disabled downloads of this file on Civitai.`, { status, details });
      }
      return new CivitaiError('unauthorized', opts.authed
        ? `${what}: Civitai rejected the API token (401). Check the Civitai token in Settings; it may have expired or been revoked.`
        : `${what}: Civitai requires you to be logged in to download this (401). Add a Civitai API token in Settings.`, { status, details });
    case 403:
      if (lower.includes('early access')) {
        const deadline = typeof (body as { deadline?: unknown })?.deadline === 'string' ? (body as { deadline: string }).deadline : null;
        return new CivitaiError('early_access', `${what}: this version is in Early Access on Civitai${deadline ? ` until ${deadline}` : ''}; it can only be downloaded after buying access with Buzz on civitai.com (or after the early access period ends).`, { status, details });
      }
      return new CivitaiError('forbidden', `${what}: Civitai says you do not have access to download this file (403).${text ? ` ${text}` : ''}`, { status, details });
    case 404:
      return new CivitaiError('not_found', `${what}: not found on Civitai (404)${text ? `: ${text}` : ''}.`, { status, details });
    case 410:
      return new CivitaiError('gone', `${what}: this model has been archived or removed on Civitai (410); it can no longer be downloaded.`, { status, details });
    case 429:
      return new CivitaiError('rate_limited', `${what}: Civitai is rate limiting requests (429)${text ? `: ${text}` : ''}.`, {
        status, details, retryAfterMs: parseRetryAfter(opts.retryAfter),
      });
    case 400:
      return new CivitaiError('bad_request', `${what}: Civitai rejected the request (400)${text ? `: ${text}` : ''}.`, { status, details });
    default:
      if (status >= 500) {
        return new CivitaiError('unavailable', `${what}: Civitai answered ${status}; it may be overloaded or down.`, {
          status, details, retryAfterMs: parseRetryAfter(opts.retryAfter),
        });
      }
      return new CivitaiError('bad_response', `${what}: Civitai answered an unexpected ${status}.`, { status, details });
  }
}
