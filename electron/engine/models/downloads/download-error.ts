import { CivitaiError } from '../../civitai/civitai-error.ts';

/** Why a download stopped; `retryable` ones are retried with backoff before giving up. */
export class DownloadError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'DownloadError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }

  static from(error: unknown): DownloadError {
    if (error instanceof DownloadError) return error;
    if (error instanceof CivitaiError) return new DownloadError(error.kind, error.message, { retryable: error.retryable, cause: error });
    const e = error as NodeJS.ErrnoException;
    if (e?.code && ['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EDQUOT'].includes(e.code)) {
      return new DownloadError('disk', `Cannot write the model file: ${e.code === 'ENOSPC' ? 'the disk is full' : e.message}.`, { cause: error });
    }
    return new DownloadError('network', `The transfer broke off: ${e?.message ?? String(error)}.`, { retryable: true, cause: error });
  }
}
