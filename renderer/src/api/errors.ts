import type { ApiError as ApiErrorBody } from '../../../shared/errors.ts';

/**
 * Every failure of the API client is an ApiRequestError: an HTTP error with the
 * engine's `{error, message, details?}` body, or a network failure (status 0).
 */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** From a 429's Retry-After header: whole seconds to wait before trying again. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, code: string, message: string, details?: unknown, retryAfterSeconds: number | null = null) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
  get isNotFound(): boolean {
    return this.status === 404;
  }
  get isAuthRequired(): boolean {
    return this.status === 401;
  }
  get isValidation(): boolean {
    return this.status === 400 || this.status === 422;
  }
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { error?: unknown }).error === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was not accepted. Check the form and try again.',
  401: 'Sign in to continue.',
  403: 'This action is not allowed from here.',
  404: 'Not found. It may have been deleted — refresh the page.',
  409: 'That conflicts with the current state. Refresh and try again.',
  413: 'That is too large to send.',
  429: 'Too many requests. Wait a moment and try again.',
  500: 'StableQueue hit an internal error. Check its log and try again.',
  502: 'The image server did not answer properly. Check that it is running.',
  503: 'StableQueue is not ready yet. Try again in a moment.',
};

export function fallbackMessage(status: number): string {
  return FALLBACK_MESSAGES[status] ?? `Request failed with HTTP ${status}.`;
}

/** A short sentence for a toast, from any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof ApiRequestError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
