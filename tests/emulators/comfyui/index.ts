/**
 * ComfyUI emulator for tests and benchmarks: a node:http + ws server that
 * behaves like ComfyUI v0.3.64
 * without torch or models.
 *
 *   const comfy = await createComfyEmulator({ stepMs: 5 });
 *   // comfy.url = http://127.0.0.1:PORT, comfy.wsUrl = ws://127.0.0.1:PORT/ws
 *   ...
 *   await comfy.close();
 *
 * What it does:
 * - /object_info with the core nodes (CheckpointLoaderSimple, LoraLoader,
 *   CLIPTextEncode, CLIPSetLastLayer, EmptyLatentImage, KSampler,
 *   KSamplerAdvanced, VAEDecode, VAEEncode, VAELoader, SaveImage, PreviewImage,
 *   EmptyImage, LoadImage); POST /prompt validates with ComfyUI's error shapes.
 * - One worker runs prompts in min-heap order. Samplers take `steps` × stepMs
 *   with progress / progress_state events and optional binary previews
 *   (type 1, or type 4 after feature_flags). SaveImage writes real PNGs
 *   (`prompt` + extra_pnginfo text chunks) into `dirs.output`.
 * - ComfyUI's node cache: an identical graph executes nothing and writes no file.
 * - Every route also under /api; foreign Origin on a loopback Host → 403.
 * - JSON bodies and WS frames are serialized like Python's json.dumps.
 * - Real-server behaviours: `nodeMs` makes nodes long and uninterruptible (an
 *   interrupt lands when the next node starts); `version` below 0.3.57 makes
 *   /interrupt global, below 0.3.45 POST /prompt ignores the client's prompt_id;
 *   `cpuOnly` reports a `cpu` device whose "VRAM" is system RAM.
 *
 * Returned object:
 * - url, wsUrl, host, port, dirs {output, input, temp}
 * - requests: every HTTP request and WS upgrade (method, path, body, headers, at, atPerf)
 * - executions: one record per prompt run (start/end timestamps in Date.now()
 *   and performance.now(), cached, outcome, files)
 * - events: every WS message emitted (type, data, target sid, delivered count, times)
 * - setFault(fault) / clearFaults(): see ComfyFault in types.ts —
 *   'ws_drop' | 'restart' | '500' | 'delay' | 'execution_error'
 * - restart({downMs?}): forget queue, running prompt, history and cache, drop
 *   sockets, reset the queue counter; files stay. With downMs the port is
 *   closed for that long (connections refused), then reopened.
 * - waitForIdle(timeoutMs?): resolves when nothing is running or pending.
 * - clearRecords(): empty requests / executions / events.
 * - close(): drop sockets, free the port, delete the temp dirs it created.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildCatalogue } from './catalogue.ts';
import { PromptWorker } from './executor.ts';
import { FaultBoard } from './faults.ts';
import { createHttpServer } from './http-server.ts';
import { listInputFiles, type ImageDirs } from './image-files.ts';
import { resolveInputImage } from './node-runtime.ts';
import { PromptQueue } from './prompt-queue.ts';
import { pyStr } from './py-json.ts';
import { queueInfo, type EmulatorContext } from './routes.ts';
import { behaviourOf } from './server-version.ts';
import type { ComfyEmulatorOptions, ComfyFault, EmittedEvent, ExecutionRecord, RecordedRequest } from './types.ts';
import { WsHub } from './ws-hub.ts';

export type { ComfyEmulatorOptions, ComfyFault, EmittedEvent, ExecutionRecord, RecordedRequest } from './types.ts';

export interface ComfyEmulator {
  readonly url: string;
  readonly wsUrl: string;
  readonly host: string;
  readonly port: number;
  readonly dirs: ImageDirs;
  readonly requests: RecordedRequest[];
  readonly executions: ExecutionRecord[];
  readonly events: EmittedEvent[];
  setFault(fault: ComfyFault): void;
  clearFaults(): void;
  restart(opts?: { downMs?: number }): Promise<void>;
  waitForIdle(timeoutMs?: number): Promise<void>;
  clearRecords(): void;
  close(): Promise<void>;
}

export const DEFAULT_CHECKPOINTS = ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors', 'Pony/ponyDiffusionV6XL.safetensors'];
export const DEFAULT_LORAS = ['add_detail.safetensors', 'lcm-lora-sdxl.safetensors', 'styles/pixel-art-xl.safetensors'];
export const DEFAULT_VAES = ['sdxl_vae.safetensors', 'vae-ft-mse-840000-ema-pruned.safetensors'];
export const DEFAULT_EMBEDDINGS = ['easynegative.safetensors', 'badhandv4.pt'];

export async function createComfyEmulator(opts: ComfyEmulatorOptions = {}): Promise<ComfyEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const base = await mkdtemp(path.join(os.tmpdir(), 'comfy-emulator-'));
  const dirs: ImageDirs = {
    output: path.resolve(opts.outputDir ?? path.join(base, 'output')),
    input: path.resolve(opts.inputDir ?? path.join(base, 'input')),
    temp: path.resolve(opts.tempDir ?? path.join(base, 'temp')),
  };
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })));

  const requests: RecordedRequest[] = [];
  const executions: ExecutionRecord[] = [];
  const events: EmittedEvent[] = [];
  const models = {
    checkpoints: opts.checkpoints ?? DEFAULT_CHECKPOINTS,
    loras: opts.loras ?? DEFAULT_LORAS,
    vaes: opts.vaes ?? DEFAULT_VAES,
    embeddings: opts.embeddings ?? DEFAULT_EMBEDDINGS,
  };
  const faults = new FaultBoard();
  const behaviour = behaviourOf(opts.version);
  let idleWaiters: Array<() => void> = [];

  // The queue, hub and worker refer to each other, as in server.py.
  const queue: PromptQueue = new PromptQueue(() => hub.sendJson('status', { status: queueInfo(queue) }, null));
  const hub: WsHub = new WsHub({
    queueInfo: () => queueInfo(queue),
    currentNodeFor: (sid) => worker.currentNodeFor(sid),
    record: (event) => events.push(event),
    featureFlags: behaviour.featureFlags,
  });
  const catalogue = (): ReturnType<typeof buildCatalogue> => buildCatalogue({ ...models, inputFiles: () => listInputFiles(dirs.input) });
  const worker: PromptWorker = new PromptWorker({
    queue,
    hub,
    faults,
    catalogue,
    settings: { stepMs: opts.stepMs ?? 20, nodeMs: opts.nodeMs ?? {}, previews: opts.previews ?? true, dirs, maxImageSide: opts.maxImageSide ?? 1024 },
    executions,
    onProgressFaults: (due) => due.forEach(applyNow),
    onIdle: () => {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((wake) => wake());
    },
  });

  let port = opts.port ?? 0;
  const ctx: EmulatorContext = {
    queue,
    worker,
    hub,
    faults,
    catalogue,
    customValidators: {
      // LoadImage.VALIDATE_INPUTS
      LoadImage: { inputs: ['image'], check: (inputs) => (existsSync(resolveInputImage(dirs, pyStr(inputs.image))) ? true : `Invalid image file: ${pyStr(inputs.image)}`) },
    },
    models,
    dirs,
    behaviour,
    cpuOnly: opts.cpuOnly ?? false,
    vramBytes: opts.vramBytes ?? 25386352640,
    counter: { number: 0 },
    port: () => port,
  };
  const server = createHttpServer(ctx, requests);
  await listen(server, port, host);
  port = (server.address() as AddressInfo).port;

  const isIdle = (): boolean => !worker.isBusy() && queue.tasksRemaining() === 0;
  let closed = false;

  async function restart(restartOpts: { downMs?: number } = {}): Promise<void> {
    worker.reset();
    queue.reset();
    ctx.counter.number = 0;
    hub.dropAll('terminate');
    const downMs = restartOpts.downMs ?? 0;
    if (downMs > 0 && !closed) {
      await closeServer(server);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      if (!closed) await listen(server, port, host);
    }
    worker.kick();
  }

  function applyNow(fault: ComfyFault): void {
    if (fault.kind === 'ws_drop') hub.dropAll(fault.mode ?? 'terminate', true);
    if (fault.kind === 'restart') void restart({ downMs: fault.downMs });
  }

  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}/ws`,
    host,
    port,
    dirs,
    requests,
    executions,
    events,
    setFault: (fault) => faults.add(fault).forEach(applyNow),
    clearFaults: () => faults.clear(),
    restart,
    waitForIdle: (timeoutMs = 30_000) =>
      isIdle()
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`ComfyUI emulator still busy after ${timeoutMs} ms`)), timeoutMs);
            idleWaiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
    clearRecords: () => {
      requests.length = 0;
      executions.length = 0;
      events.length = 0;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      worker.reset();
      queue.reset();
      await hub.close();
      await closeServer(server);
      await rm(base, { recursive: true, force: true });
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
