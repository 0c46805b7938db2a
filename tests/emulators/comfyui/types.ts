// Shared shapes of the ComfyUI emulator: the workflow graph, queue items,
// history entries, options, faults and the records tests read back.
import type { PyFloat } from './py-json.ts';

/** A workflow node: `{class_type, inputs, _meta?}`. Links are `[node_id, output_index]`. */
export interface GraphNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

/** node id (string) → node. */
export type Graph = Record<string, GraphNode>;

export type ExtraData = Record<string, unknown>;

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`, exactly as ComfyUI stores it. */
export type QueueItem = [number | bigint | PyFloat, string, Graph, ExtraData, string[]];

export interface UiImage {
  filename: string;
  subfolder: string;
  type: 'output' | 'temp' | 'input';
}

export type UiOutput = Record<string, unknown[]>;

export interface NodeMeta {
  node_id: string;
  display_node: string;
  parent_node: null;
  real_node_id: string;
}

export type StatusMessage = [string, Record<string, unknown>];

export interface HistoryEntry {
  prompt: QueueItem;
  outputs: Record<string, UiOutput>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: StatusMessage[] };
  meta: Record<string, NodeMeta>;
}

export interface ComfyEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Time per sampler step in ms (default 20). */
  stepMs?: number;
  checkpoints?: string[];
  loras?: string[];
  vaes?: string[];
  embeddings?: string[];
  /** Send binary preview frames while sampling (default true). */
  previews?: boolean;
  /** Where SaveImage writes (default: a fresh temp dir, removed on close). */
  outputDir?: string;
  /** Where uploads land and LoadImage reads (default: a fresh temp dir). */
  inputDir?: string;
  /** Where PreviewImage writes (default: a fresh temp dir). */
  tempDir?: string;
  /** Real PNGs are scaled down to fit this many pixels per side (default 1024). */
  maxImageSide?: number;
  /**
   * The ComfyUI version to be (default 0.3.64), reported in /system_stats. Older than
   * 0.3.57: POST /interrupt ignores prompt_id and stops whatever runs. Older than 0.3.45:
   * POST /prompt ignores a client-given prompt_id, and no feature_flags reply.
   */
  version?: string;
  /** Run like `--cpu`: /system_stats lists one `cpu` device whose "VRAM" is the system RAM. */
  cpuOnly?: boolean;
  /** Total GPU memory /system_stats reports, in bytes (default 25386352640, an RTX 4090). */
  vramBytes?: number;
  /**
   * Extra time a node of this class takes (e.g. `{VAEDecode: 3000}`), without checking for
   * interrupts: like a real decode or upscale, an interrupt lands only when the next node starts.
   */
  nodeMs?: Record<string, number>;
}

/** Faults a test can switch on with `setFault`. Several may be active at once. */
export type ComfyFault =
  /** Close every WebSocket (the job keeps running). Immediately, or after N more progress events. */
  | { kind: 'ws_drop'; afterProgress?: number; mode?: 'terminate' | 'close' }
  /** Like a process restart: forget queue, running job, history and caches; drop sockets; keep files. */
  | { kind: 'restart'; afterProgress?: number; downMs?: number }
  /** Answer the next `count` (default 1) requests to `path` (without /api) with aiohttp's 500. */
  | { kind: '500'; path: string; method?: string; count?: number }
  /** Hold the next `count` (default 1) requests to `path` for `ms` before answering. */
  | { kind: 'delay'; path: string; ms: number; method?: string; count?: number }
  /** The next node that runs (of `nodeClass`, if given) raises: execution_error + history status error. */
  | { kind: 'execution_error'; nodeClass?: string; message?: string; exceptionType?: string; count?: number };

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/api/history/abc` or `/ws?clientId=x`. */
  path: string;
  /** Parsed JSON body, the raw text if not JSON, or null when empty. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** Date.now() and performance.now() when the request arrived. */
  at: number;
  atPerf: number;
}

export type ExecutionOutcome = 'running' | 'success' | 'error' | 'interrupted' | 'aborted';

export interface ExecutionRecord {
  promptId: string;
  number: number;
  clientId: string | null;
  /** When execution_start was emitted. */
  startedAt: number;
  startedPerf: number;
  /** When execution_success / execution_error / execution_interrupted was emitted. */
  endedAt: number | null;
  endedPerf: number | null;
  /** When the worker was done with the prompt (after `executing {node: null}`). */
  finishedAt: number | null;
  finishedPerf: number | null;
  /** True when every node came from the cache, so nothing ran. */
  cached: boolean;
  cachedNodes: string[];
  executedNodes: string[];
  outcome: ExecutionOutcome;
  /** Files this run wrote, relative to its type dir (`subfolder/name.png`). */
  files: string[];
}

/** Every WebSocket message the server emitted, in order (whether or not a socket received it). */
export interface EmittedEvent {
  /** JSON event type, or `binary:1` / `binary:4` for preview frames. */
  type: string;
  data: unknown;
  /** Target session, or null for a broadcast. */
  sid: string | null;
  /** How many sockets it was written to. */
  delivered: number;
  at: number;
  atPerf: number;
}
