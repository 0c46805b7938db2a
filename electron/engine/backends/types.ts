import type { AppType, ServerResource, ServerResourceKind } from '../../../shared/servers.ts';
import type { ImageKind } from '../../../shared/images.ts';
import type { GenerationParams, JobMode } from '../../../shared/jobs.ts';

/** What a backend needs to know about the server it talks to. */
export interface ServerConnection {
  alias: string;
  appType: AppType;
  apiUrl: string;
  username: string | null;
  password: string | null;
}

export interface HealthReport {
  online: boolean;
  /** The server is generating something (ours or not). */
  busy: boolean;
  loadedCheckpoint: string | null;
  version: string | null;
  message: string;
  /** GPU memory in bytes, when the server says (Forge/A1111 /sdapi/v1/memory, ComfyUI /system_stats). */
  vram?: { free: number; total: number } | null;
}

export interface ProgressUpdate {
  /** 0..1 */
  progress: number;
  etaSeconds: number | null;
  step: number | null;
  steps: number | null;
  preview?: { data: Buffer; mime: string };
  /** What the job is doing when a number says too little, e.g. "Queued on server". */
  statusText?: string | null;
}

export interface GeneratedImage {
  data: Buffer;
  seed: number | null;
  infotext: string | null;
  /** A result unless said otherwise (an extra the job asked to keep: grid, detected map). */
  kind?: ImageKind;
}

export interface RunResult {
  images: GeneratedImage[];
  /** True when the server stopped early (interrupt); images are what was done. */
  interrupted: boolean;
  details: Record<string, unknown>;
}

/** A job as a backend sees it. */
export interface RunnableJob {
  id: string;
  mode: JobMode;
  params: GenerationParams;
  /** Set when a previous attempt already submitted the job (ComfyUI prompt_id). */
  backendTaskId: string | null;
}

export interface RunContext {
  signal: AbortSignal;
  onProgress(update: ProgressUpdate): void;
  /** The backend's own id for the job (ComfyUI prompt_id), stored so a restart can reattach. */
  onSubmitted(taskId: string): void;
}

export interface Backend {
  readonly appType: AppType;
  /**
   * Jobs the server may hold in its own queue beyond max_concurrency (ComfyUI keeps the
   * next prompt queued so the GPU never idles). The dispatcher claims that many more.
   */
  readonly prefetch?: number;
  checkHealth(signal?: AbortSignal): Promise<HealthReport>;
  listResources(kind: ServerResourceKind, signal?: AbortSignal): Promise<ServerResource[]>;
  /** Runs one attempt. Throws BackendError; resolves with the images otherwise. */
  run(job: RunnableJob, ctx: RunContext): Promise<RunResult>;
  /** Stops the job on the server (interrupt while running, take back while queued there). */
  cancel(job: RunnableJob): Promise<void>;
  /**
   * After cancel(), run() ends by itself once the server confirms the stop, however long
   * the running step takes; the engine then does not cut the attempt short (the server is
   * still busy until then). Without it the engine stops waiting after a grace period.
   */
  readonly confirmsCancel?: boolean;
  /**
   * Takes a prefetched job back from the server's queue if it has not started; its run()
   * then ends and the job is requeued without counting the attempt. False: it runs on.
   */
  takeBack?(job: RunnableJob): Promise<boolean>;
  /**
   * Of these extensions (always-on script titles a job names), the ones this server is
   * known not to have, from what it last said; null while it has not said. Synchronous, so
   * the dispatcher can route a job to a server that has them.
   */
  lacksExtensions?(mode: RunnableJob['mode'], titles: string[]): string[] | null;
  /** Frees the GPU: unloads the model from memory (A1111/Forge unload-checkpoint, ComfyUI /free). */
  unload?(signal?: AbortSignal): Promise<void>;
  /** Asks the server to rescan a model folder after a download. */
  refreshModels?(kind: 'checkpoints' | 'loras'): Promise<void>;
  /** Closes sockets (ComfyUI WebSocket). */
  close?(): void;
}

/**
 * transient: network, unknown 5xx, timeout — retried with backoff.
 * permanent: the job itself is wrong (unknown checkpoint, 4xx, validation, a server-side
 *   programming error such as TypeError) — fails at once.
 * out_of_memory: the server's GPU ran out of memory for this job — never retried on the
 *   same card (it would fail the same way); fails with a hint to lower size or batch.
 * offline: the request never reached the server — the job waits, no attempt is counted.
 * cancelled: the user cancelled.
 */
export type BackendErrorKind = 'transient' | 'permanent' | 'out_of_memory' | 'offline' | 'cancelled';

export class BackendError extends Error {
  readonly kind: BackendErrorKind;
  readonly status: number | null;
  readonly details: unknown;

  constructor(kind: BackendErrorKind, message: string, opts: { status?: number | null; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'BackendError';
    this.kind = kind;
    this.status = opts.status ?? null;
    this.details = opts.details;
  }
}
