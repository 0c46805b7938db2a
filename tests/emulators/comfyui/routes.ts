// The REST routes of server.py (v0.3.64), handler by handler. File routes
// (/view, /upload/image) live in file-routes.ts.
import os from 'node:os';
import type { NodeDef } from './catalogue.ts';
import { nodeInfo } from './catalogue.ts';
import type { PromptWorker } from './executor.ts';
import type { FaultBoard } from './faults.ts';
import { uploadImage, viewFile } from './file-routes.ts';
import { emptyReply, jsonReply, readJson, readJsonObject, RequestCrash, type Reply, type RouteRequest } from './http-kit.ts';
import type { ImageDirs } from './image-files.ts';
import type { PromptQueue } from './prompt-queue.ts';
import { PyFloat, asNumber, pyStr } from './py-json.ts';
import type { ExtraData, Graph, QueueItem } from './types.ts';
import { HandlerCrash, validatePrompt, type CustomValidator } from './validation.ts';
import type { VersionBehaviour } from './server-version.ts';
import { SERVER_FEATURE_FLAGS, type WsHub } from './ws-hub.ts';

/** Everything the routes read or change. */
export interface EmulatorContext {
  queue: PromptQueue;
  worker: PromptWorker;
  hub: WsHub;
  faults: FaultBoard;
  catalogue(): Record<string, NodeDef>;
  customValidators: Record<string, { inputs: string[]; check: CustomValidator }>;
  models: { checkpoints: string[]; loras: string[]; vaes: string[]; embeddings: string[] };
  dirs: ImageDirs;
  /** What the emulated version does differently (old-version mode). */
  behaviour: VersionBehaviour;
  cpuOnly: boolean;
  /** Total GPU memory /system_stats reports, in bytes. */
  vramBytes: number;
  /** server.number: the next queue number; reset by a restart. */
  counter: { number: number };
  port(): number;
}

export interface Route {
  method: string;
  /** aiohttp-style path, `{name}` matching one segment. */
  path: string;
  handler: (req: RouteRequest, ctx: EmulatorContext) => Reply | Promise<Reply>;
}

const MODEL_FOLDERS = [
  'checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models', 'clip_vision', 'style_models',
  'embeddings', 'diffusers', 'vae_approx', 'controlnet', 'gligen', 'upscale_models', 'custom_nodes',
  'hypernetworks', 'photomaker', 'classifiers', 'model_patches', 'audio_encoders',
];

const INDEX_HTML = '<!doctype html><html><head><title>ComfyUI</title></head><body>ComfyUI emulator</body></html>\n';

export const ROUTES: Route[] = [
  { method: 'GET', path: '/', handler: () => ({ status: 200, headers: { 'Content-Type': 'text/html', 'Cache-Control': 'no-cache', Pragma: 'no-cache', Expires: '0' }, body: Buffer.from(INDEX_HTML) }) },
  { method: 'GET', path: '/embeddings', handler: (_req, ctx) => jsonReply(ctx.models.embeddings.map(stripExtension)) },
  { method: 'GET', path: '/models', handler: () => jsonReply(MODEL_FOLDERS) },
  { method: 'GET', path: '/models/{folder}', handler: (req, ctx) => modelFolder(req.params.folder, ctx) },
  { method: 'GET', path: '/extensions', handler: () => jsonReply([]) },
  { method: 'POST', path: '/upload/image', handler: (req, ctx) => uploadImage(req, ctx.dirs) },
  { method: 'GET', path: '/view', handler: (req, ctx) => viewFile(req, ctx.dirs) },
  { method: 'GET', path: '/system_stats', handler: (_req, ctx) => jsonReply(systemStats(ctx)) },
  { method: 'GET', path: '/features', handler: () => jsonReply(SERVER_FEATURE_FLAGS) },
  { method: 'GET', path: '/prompt', handler: (_req, ctx) => jsonReply(queueInfo(ctx.queue)) },
  { method: 'GET', path: '/object_info', handler: (_req, ctx) => jsonReply(objectInfo(ctx.catalogue())) },
  { method: 'GET', path: '/object_info/{node_class}', handler: (req, ctx) => jsonReply(objectInfo(ctx.catalogue(), req.params.node_class)) },
  { method: 'GET', path: '/history', handler: getHistory },
  { method: 'GET', path: '/history/{prompt_id}', handler: (req, ctx) => jsonReply(ctx.queue.historyFor(req.params.prompt_id)) },
  { method: 'GET', path: '/queue', handler: (_req, ctx) => jsonReply({ queue_running: ctx.queue.runningItems(), queue_pending: ctx.queue.pendingItems() }) },
  { method: 'POST', path: '/prompt', handler: postPrompt },
  { method: 'POST', path: '/queue', handler: postQueue },
  { method: 'POST', path: '/interrupt', handler: postInterrupt },
  { method: 'POST', path: '/free', handler: (req) => (readJsonObject(req), emptyReply()) },
  { method: 'POST', path: '/history', handler: postHistory },
];

export function queueInfo(queue: PromptQueue): { exec_info: { queue_remaining: number } } {
  return { exec_info: { queue_remaining: queue.tasksRemaining() } };
}

function postPrompt(req: RouteRequest, ctx: EmulatorContext): Reply {
  const json = readJsonObject(req);
  let number: number | PyFloat;
  if (Object.hasOwn(json, 'number')) {
    const n = typeof json.number === 'string' ? Number(json.number.trim()) : asNumber(json.number);
    if (n === undefined || Number.isNaN(n)) throw new RequestCrash('float() failed');
    number = new PyFloat(n);
  } else {
    number = ctx.counter.number;
    if (Object.hasOwn(json, 'front') && truthy(json.front)) number = -number;
    ctx.counter.number++;
  }

  if (!Object.hasOwn(json, 'prompt')) {
    const error = { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} };
    return jsonReply({ error, node_errors: {} }, 400);
  }
  const prompt = json.prompt;
  // Before 0.3.45 the server always made its own id.
  const promptId = Object.hasOwn(json, 'prompt_id') && ctx.behaviour.honoursClientPromptId ? pyStr(json.prompt_id) : crypto.randomUUID();
  let valid;
  try {
    valid = validatePrompt(prompt, ctx.catalogue(), json.partial_execution_targets, ctx.customValidators);
  } catch (err) {
    if (err instanceof HandlerCrash) throw new RequestCrash(err.message);
    throw err;
  }
  const extraData = (Object.hasOwn(json, 'extra_data') ? json.extra_data : {}) as ExtraData;
  if (Object.hasOwn(json, 'client_id')) {
    if (extraData === null || typeof extraData !== 'object' || Array.isArray(extraData)) throw new RequestCrash('extra_data is not a dict');
    extraData.client_id = json.client_id;
  }
  if (!valid.ok) return jsonReply({ error: valid.error, node_errors: valid.nodeErrors }, 400);

  const item: QueueItem = [number, promptId, prompt as Graph, extraData, valid.outputs];
  ctx.queue.put(item);
  // The worker thread wakes on its own; let this response go out first.
  setImmediate(() => ctx.worker.kick());
  return jsonReply({ prompt_id: promptId, number, node_errors: valid.nodeErrors });
}

function postQueue(req: RouteRequest, ctx: EmulatorContext): Reply {
  const json = readJsonObject(req);
  if (Object.hasOwn(json, 'clear') && truthy(json.clear)) ctx.queue.wipeQueue();
  if (Object.hasOwn(json, 'delete')) {
    for (const id of iterable(json.delete)) ctx.queue.deletePending(id as string);
  }
  return emptyReply();
}

function postInterrupt(req: RouteRequest, ctx: EmulatorContext): Reply {
  let json: unknown;
  try {
    json = readJson(req);
  } catch {
    json = {};
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new RequestCrash("'list' object has no attribute 'get'");
  const promptId = (json as Record<string, unknown>).prompt_id;
  // Before 0.3.57 the id was ignored: whatever runs is stopped.
  if (truthy(promptId) && ctx.behaviour.targetedInterrupt) ctx.worker.interrupt(String(promptId));
  else ctx.worker.interrupt();
  return emptyReply();
}

function getHistory(req: RouteRequest, ctx: EmulatorContext): Reply {
  const maxItems = req.query.get('max_items');
  const offset = req.query.get('offset');
  return jsonReply(ctx.queue.historyPage(maxItems === null ? null : pyIntParam(maxItems), offset === null ? -1 : pyIntParam(offset)));
}

function postHistory(req: RouteRequest, ctx: EmulatorContext): Reply {
  const json = readJsonObject(req);
  if (Object.hasOwn(json, 'clear') && truthy(json.clear)) ctx.queue.wipeHistory();
  if (Object.hasOwn(json, 'delete')) {
    for (const id of iterable(json.delete)) ctx.queue.deleteHistory(id as string);
  }
  return emptyReply();
}

function modelFolder(folder: string, ctx: EmulatorContext): Reply {
  if (!MODEL_FOLDERS.includes(folder)) return emptyReply(404);
  const files: Record<string, string[]> = {
    checkpoints: ctx.models.checkpoints,
    loras: ctx.models.loras,
    vae: ctx.models.vaes,
    embeddings: ctx.models.embeddings,
  };
  return jsonReply(files[folder] ?? []);
}

function objectInfo(catalogue: Record<string, NodeDef>, only?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(catalogue)) {
    if (only === undefined || only === name) out[name] = nodeInfo(name, def);
  }
  return out;
}

/** With --cpu, model_management reports one `cpu` device whose memory is the system RAM. */
function cpuDevice(): Record<string, unknown> {
  return { name: 'cpu', type: 'cpu', index: null, vram_total: os.totalmem(), vram_free: os.freemem(), torch_vram_total: os.totalmem(), torch_vram_free: os.freemem() };
}

function systemStats(ctx: EmulatorContext): unknown {
  const vramTotal = ctx.vramBytes;
  // Loaded models eat VRAM while a prompt runs.
  const vramFree = vramTotal - (ctx.worker.isBusy() ? 8206483456 : 862453760);
  return {
    system: {
      os: 'posix',
      ram_total: os.totalmem(),
      ram_free: os.freemem(),
      comfyui_version: ctx.behaviour.version,
      required_frontend_version: '1.27.10',
      python_version: '3.12.3 (main, Aug 14 2025, 17:47:21) [GCC 13.3.0]',
      pytorch_version: ctx.cpuOnly ? '2.8.0+cpu' : '2.8.0+cu128',
      embedded_python: false,
      argv: ['main.py', '--listen', '127.0.0.1', '--port', String(ctx.port()), ...(ctx.cpuOnly ? ['--cpu'] : [])],
    },
    devices: ctx.cpuOnly ? [cpuDevice()] : [
      {
        name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync',
        type: 'cuda',
        index: 0,
        vram_total: vramTotal,
        vram_free: vramFree,
        torch_vram_total: ctx.worker.isBusy() ? 8321499136 : 0,
        torch_vram_free: ctx.worker.isBusy() ? 112197632 : 0,
      },
    ],
  };
}

function stripExtension(name: string): string {
  const base = name.lastIndexOf('/') + 1;
  const dot = name.lastIndexOf('.');
  return dot > base ? name.slice(0, dot) : name;
}

function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '' || value === 0n) return false;
  if (value instanceof PyFloat) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Python `for x in value` over JSON values: lists, dict keys, string characters. */
function iterable(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (value !== null && typeof value === 'object') return Object.keys(value);
  throw new RequestCrash('not iterable');
}

function pyIntParam(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new RequestCrash(`invalid literal for int() with base 10: '${text}'`);
  return Number.parseInt(text, 10);
}

