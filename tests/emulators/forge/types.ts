/** Public types of the Forge / A1111 emulator. */

export type Flavor = 'forge' | 'a1111';

/** A checkpoint file, relative to models/Stable-diffusion, always written with `/`. */
export interface CheckpointSpec {
  path: string;
  /** false: sha256 not cached yet, so the title has no `[hash]` suffix until the model is loaded */
  hashed?: boolean;
}

export interface ForgeEmulatorOptions {
  /** 0 (default) picks a free port */
  port?: number;
  host?: string;
  flavor?: Flavor;
  /** time per sampling step (default 50) */
  stepMs?: number;
  /** time to load a checkpoint when the loaded model changes (default 0) */
  modelLoadMs?: number;
  /** API only, like `--nowebui`: no `/internal/*` routes (no ping, no task progress) */
  nowebui?: boolean;
  /** HTTP Basic like `--api-auth user:pass` */
  auth?: { username: string; password: string };
  models?: (string | CheckpointSpec)[];
  loras?: string[];
  /** relative path, title or any alias of the initially loaded checkpoint (default: first model) */
  loadedModel?: string;
  /** Windows server: `\` in titles and filenames */
  windowsPaths?: boolean;
  /** titles accepted in `alwayson_scripts` (case-insensitive) */
  alwaysonScripts?: string[];
  /** how many arguments `/sdapi/v1/script-info` lists for an always-on script (default none: unknown) */
  scriptArgCounts?: Record<string, number>;
  /** overrides for initial `/sdapi/v1/options` values (e.g. `{show_progress_every_n_steps: 1}`) */
  options?: Record<string, unknown>;
  /** images are rendered at the requested size, capped at this many pixels per side (default 1024) */
  maxImageSide?: number;
  /** `Version:` in infotexts */
  version?: string;
  /** total GPU memory reported by `/sdapi/v1/memory`, in bytes (default 24 GiB-class: 25_757_051_392) */
  vramBytes?: number;
  /**
   * A generation making more pixels than this (width × height × batch_size, the hires pass
   * counted) fails as real Forge does on a full card: 500 `OutOfMemoryError` "CUDA out of
   * memory…" after taking the queue lock. Default: never.
   */
  oomAbovePixels?: number;
}

export type FaultKind =
  | '500'
  | '503'
  | '429'
  | 'hang'
  | 'reset'
  | 'malformed_json'
  | 'wrong_shape'
  | 'bad_base64'
  | 'huge_body'
  | 'redirect';

export interface FaultSpec {
  kind: FaultKind;
  /** how many matching requests it affects (default 1; Infinity for all) */
  count?: number;
  /** exact path it applies to (any method); default: POST txt2img and img2img */
  path?: string;
  /**
   * 'before': answer at once, without taking the queue lock or generating.
   * 'after': run the request normally, then spoil its response.
   * Defaults: reset, malformed_json and bad_base64 are 'after'; the rest 'before'.
   */
  stage?: 'before' | 'after';
  /** Retry-After seconds for 503/429 (default 1) */
  retryAfter?: number;
  /** message of the '500' fault */
  message?: string;
  /** Python exception class of the '500' fault's `error` field (default OutOfMemoryError) */
  error?: string;
  /** size of the 'huge_body' response in bytes (default 64 MiB) */
  bytes?: number;
  /** Location of the 'redirect' fault (default the cloud metadata address) */
  location?: string;
}

export interface RecordedRequest {
  /** 1-based, in arrival order */
  id: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** parsed JSON body, or null when absent or not JSON */
  body: unknown;
  rawBody: string;
  /** epoch milliseconds with sub-millisecond precision, when the body was fully received */
  at: number;
  /** fault applied to this request, if any */
  fault?: FaultKind;
}

export interface GenerationRecord {
  requestId: number;
  route: 'txt2img' | 'img2img';
  /** all times: epoch milliseconds with sub-millisecond precision */
  receivedAt: number;
  /** queue lock acquired: the generation really starts */
  startedAt?: number;
  /** lock released */
  finishedAt?: number;
  /** last byte of the response handed to the socket */
  respondedAt?: number;
  status?: number;
  images?: number;
  interrupted: boolean;
  /** the server went offline or closed while this request was queued or running */
  aborted: boolean;
  /** title of the checkpoint used */
  model?: string;
  /** `force_task_id`, or the id the server made up */
  taskId?: string;
  /** the picture-affecting options in effect while it ran (after override_settings) */
  settings?: Record<string, unknown>;
  /** enabled ControlNet units that took effect, and those whose error the server swallowed */
  controlnet?: { applied: number; failed: string[] };
  /** images appended after the results (ControlNet detected maps) */
  extraImages?: number;
  /** sampling steps actually run, over all passes and batches */
  stepsRun?: number;
}
