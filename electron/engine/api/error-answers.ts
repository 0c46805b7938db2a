import { BackendError } from '../backends/types.ts';
import { CivitaiError } from '../civitai/civitai-error.ts';
import { DomainError } from '../domain-error.ts';
import { DownloadError } from '../models/downloads/download-error.ts';
import { ServerUrlError } from '../net/server-url.ts';

/** What the API answers for an error: `{error: code, message, details?}` with this status. */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/** Civitai and download failures by kind or code; anything else keeps the error's own status. */
const CIVITAI_AND_DOWNLOAD_STATUS: Record<string, number> = {
  download_not_found: 404,
  not_found: 404,
  bad_request: 400,
  bad_file_name: 400,
  unsupported_type: 400,
  unsafe_file: 400,
  no_library_folder: 409,
  target_exists: 409,
  disk_full: 507,
  target_busy: 409,
  not_pausable: 409,
  not_resumable: 409,
  not_cancellable: 409,
  not_finished: 409,
  // Civitai refusing access is not a StableQueue auth failure (401/403 would send the UI
  // to its login page): 424 Failed Dependency, with the reason in the code and message.
  unauthorized: 424,
  downloads_disabled: 424,
  early_access: 424,
  forbidden: 424,
  gone: 410,
  rate_limited: 429,
};

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;
type ErrorMapping = (error: unknown) => ErrorAnswer | null;
const mapping = <E extends Error>(type: ErrorClass<E>, answer: (error: E) => ErrorAnswer): ErrorMapping =>
  (error) => (error instanceof type ? answer(error) : null);

/**
 * The one table that turns the domain's errors into HTTP answers: services and clients
 * throw their own errors, routes never catch and translate them. First match wins.
 */
const ERROR_ANSWERS: readonly ErrorMapping[] = [
  mapping(DomainError, (e) => ({ status: e.status, code: e.code, message: e.message, details: e.details ?? undefined })),
  mapping(CivitaiError, (e) => ({
    status: CIVITAI_AND_DOWNLOAD_STATUS[e.kind] ?? e.apiStatus, code: `civitai_${e.kind}`, message: e.message, details: e.details ?? undefined,
  })),
  mapping(DownloadError, (e) => ({
    status: CIVITAI_AND_DOWNLOAD_STATUS[e.code] ?? 502, code: e.code.startsWith('download') ? e.code : `download_${e.code}`, message: e.message,
  })),
  mapping(ServerUrlError, (e) => ({ status: 400, code: 'invalid_server_url', message: e.message })),
  // A backend failure that reaches a route (not a job: those end in the job's state).
  mapping(BackendError, (e) => ({ status: 502, code: 'server_unavailable', message: e.message })),
];

/** The answer for a domain error, or null when the error is not one (a bug: 500, logged). */
export function answerFor(error: unknown): ErrorAnswer | null {
  for (const answer of ERROR_ANSWERS) {
    const found = answer(error);
    if (found) return found;
  }
  return null;
}
