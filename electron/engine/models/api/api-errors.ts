import { ApiError } from '../../api/errors.ts';
import { CivitaiError } from '../../civitai/civitai-error.ts';
import { DownloadError } from '../downloads/download-error.ts';

const DOWNLOAD_STATUS: Record<string, number> = {
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

/** Civitai and download failures as the API's `{error, message}` with a fitting status. */
export function toApiError(error: unknown): unknown {
  if (error instanceof CivitaiError) {
    const status = DOWNLOAD_STATUS[error.kind] ?? error.apiStatus;
    return new ApiError(status, `civitai_${error.kind}`, error.message, error.details ?? undefined);
  }
  if (error instanceof DownloadError) {
    const status = DOWNLOAD_STATUS[error.code] ?? 502;
    return new ApiError(status, error.code.startsWith('download') ? error.code : `download_${error.code}`, error.message);
  }
  return error;
}

/** Runs a route body and maps Civitai/download errors. */
export async function mapped<T>(body: () => Promise<T> | T): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toApiError(error);
  }
}
