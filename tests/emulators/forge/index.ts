/**
 * Forge / A1111 test emulator: a plain node:http server speaking the `/sdapi/v1` API as
 * real Forge and A1111 answer it (shapes, errors, progress, interrupts).
 *
 *   const emu = await createForgeEmulator({ flavor: 'forge', stepMs: 10 });
 *   await fetch(`${emu.url}/sdapi/v1/txt2img`, { method: 'POST', body: '{"prompt":"cat","steps":5}',
 *     headers: { 'content-type': 'application/json' } });
 *   await emu.close();
 *
 * Behaviour that matters to a queue client:
 * - txt2img/img2img share one FIFO lock: a second request is never rejected, it waits
 *   (connection open) and runs after the first, in arrival order; a disconnecting client
 *   does not cancel its generation.
 * - `/progress`, `/interrupt`, `/skip` work on the running job only; an interrupted job
 *   answers 200 with the images it has (see generation.ts). `/progress` shows whoever runs
 *   (its `current_task`), even while another client's request waits for the lock.
 * - Every generation is a task (`force_task_id` or a generated id); `POST /internal/progress
 *   {id_task}` says whether it is queued, active or completed (task-queue.ts).
 * - Options set by `override_settings` stay set after the job when the request says
 *   `override_settings_restore_afterwards: false`, and later jobs run with them.
 * - Error bodies, 422 validation, basic auth and options follow the chosen flavor.
 *
 * Returned object (ForgeEmulator):
 * - `url`, `port`, `flavor`
 * - `requests`: every request, in arrival order (full parsed body, so pass-through fields
 *   such as `alwayson_scripts` can be asserted)
 * - `generationLog`: per generation, receivedAt / startedAt / finishedAt / respondedAt
 * - `generationLog` also records each generation's task id, the picture-affecting options
 *   it ran with (`settings`), its ControlNet outcome and its extra images
 * - `events`: emits 'request' (RecordedRequest), 'generation-start' and 'generation-end'
 *   (GenerationRecord)
 * - `state`: live read-only view (options, loaded/selected model, progress, queue length)
 * - `setFault(spec)` / `clearFaults()`: see faults.ts for the kinds
 * - `setStepMs(ms)`: changes the speed of running and future generations
 * - `setOnline(false)`: like a crashed process — stops listening, destroys every connection,
 *   drops queued and running generations; `setOnline(true)` listens again on the same port
 * - `close()`: ends everything (including hanging requests) and frees the port
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Catalog, checkpointTitle, DEFAULT_ALWAYSON_SCRIPTS } from './catalog.ts';
import { now, type EmulatorCore } from './core.ts';
import { errorReply } from './errors.ts';
import { FaultQueue, writeFault } from './faults.ts';
import { FifoLock } from './fifo-lock.ts';
import { readBody, send, serialize, type WireReply } from './http.ts';
import { defaultOptions } from './options.ts';
import { ProcessingState } from './processing-state.ts';
import { pyFloatRepr, toPlain } from './py-json.ts';
import { TaskQueue } from './task-queue.ts';
import { dispatch } from './routes.ts';
import type { FaultSpec, Flavor, ForgeEmulatorOptions, GenerationRecord, RecordedRequest } from './types.ts';

export type * from './types.ts';

export interface ForgeEmulatorStateView {
  /** plain copy of `/sdapi/v1/options` */
  readonly options: Record<string, unknown>;
  /** title of the checkpoint whose weights are in memory */
  readonly loadedModel: string;
  /** options.sd_model_checkpoint (Forge loads a new selection lazily, on the next generation) */
  readonly selectedModel: string;
  /** `shared.state.dict()` */
  readonly progress: Record<string, unknown>;
  /** generations running plus waiting for the lock */
  readonly queueLength: number;
}

export interface ForgeEmulator {
  readonly url: string;
  readonly port: number;
  readonly flavor: Flavor;
  readonly online: boolean;
  readonly requests: RecordedRequest[];
  readonly generationLog: GenerationRecord[];
  readonly events: EventEmitter;
  readonly state: ForgeEmulatorStateView;
  setFault(fault: FaultSpec): void;
  clearFaults(): void;
  setStepMs(ms: number): void;
  setOnline(online: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function createForgeEmulator(opts: ForgeEmulatorOptions = {}): Promise<ForgeEmulator> {
  const flavor = opts.flavor ?? 'forge';
  const host = opts.host ?? '127.0.0.1';
  const catalog = new Catalog(opts);
  const initial = (opts.loadedModel && catalog.findCheckpoint(opts.loadedModel)) || catalog.checkpoints[0];
  if (!initial) throw new Error('the emulator needs at least one checkpoint');

  let lifeController = new AbortController();
  const core: EmulatorCore = {
    flavor,
    catalog,
    options: { ...defaultOptions(flavor, checkpointTitle(initial), initial.hashed ? initial.sha256 : null), ...opts.options },
    state: new ProcessingState(),
    tasks: new TaskQueue(),
    lock: new FifoLock(),
    loaded: initial,
    settings: {
      stepMs: opts.stepMs ?? 50,
      modelLoadMs: opts.modelLoadMs ?? 0,
      maxImageSide: opts.maxImageSide ?? 1024,
      version: opts.version ?? (flavor === 'forge' ? 'f2.0.1v1.10.1' : 'v1.10.1'),
      alwaysonScripts: opts.alwaysonScripts ?? DEFAULT_ALWAYSON_SCRIPTS,
      scriptArgCounts: opts.scriptArgCounts ?? {},
      nowebui: opts.nowebui ?? false,
      vramBytes: opts.vramBytes ?? 25_757_051_392,
      oomAbovePixels: opts.oomAbovePixels ?? Infinity,
    },
    life: lifeController.signal,
    generationLog: [],
    events: new EventEmitter(),
  };
  const requests: RecordedRequest[] = [];
  const faults = new FaultQueue();
  const sockets = new Set<Socket>();

  // a bug in the emulator must show up as a dropped connection, never as an unhandled rejection
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.keepAliveTimeout = 5000; // uvicorn's default
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const life = core.life;
    const startedAt = now();
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch {
      return; // client went away before sending its body
    }
    const url = new URL(req.url ?? '/', 'http://emulator');
    const record: RecordedRequest = {
      id: requests.length + 1,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: parseJsonOrNull(rawBody),
      rawBody: rawBody.toString('utf8'),
      at: now(),
    };
    requests.push(record);
    const fault = faults.take(record.method, record.path);
    if (fault) record.fault = fault.kind;
    core.events.emit('request', record);

    if (fault?.stage === 'before') return writeFault(res, fault, flavor, null);

    let wire: WireReply;
    try {
      const reply = await dispatch(core, {
        method: record.method,
        path: record.path,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        requestId: record.id,
        receivedAt: record.at,
        auth: opts.auth,
      });
      wire = serialize(reply);
    } catch (err) {
      if (life.aborted) return; // the "process" died; its sockets are already gone
      const reply = errorReply(flavor, err);
      wire = serialize({ status: reply.status, body: reply.body, headers: reply.headers });
    }
    if (life.aborted) return;
    // A1111's middleware: str(round(seconds, 4))
    if (flavor === 'a1111') wire.headers['x-process-time'] = pyFloatRepr(Math.round((now() - startedAt) * 10) / 1e4);

    const generation = core.generationLog.findLast((g) => g.requestId === record.id);
    if (generation) {
      generation.status ??= wire.status;
      res.on('finish', () => (generation.respondedAt = now()));
    }
    if (fault) writeFault(res, fault, flavor, wire);
    else send(res, wire);
  }

  let port = opts.port ?? 0;
  let online = false;

  async function listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') port = address.port;
    online = true;
  }

  async function goOffline(): Promise<void> {
    if (!online) return;
    online = false;
    lifeController.abort(new Error('emulated server went offline'));
    core.state.end();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  await listen();
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    get url() {
      return `http://${urlHost}:${port}`;
    },
    get port() {
      return port;
    },
    flavor,
    get online() {
      return online;
    },
    requests,
    generationLog: core.generationLog,
    events: core.events,
    state: {
      get options() {
        return toPlain(core.options) as Record<string, unknown>;
      },
      get loadedModel() {
        return checkpointTitle(core.loaded);
      },
      get selectedModel() {
        return String(core.options.sd_model_checkpoint);
      },
      get progress() {
        return core.state.dict();
      },
      get queueLength() {
        return core.lock.waiting + (core.lock.held ? 1 : 0);
      },
    },
    setFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setStepMs: (ms) => {
      core.settings.stepMs = ms;
    },
    async setOnline(value) {
      if (value === online) return;
      if (!value) return goOffline();
      lifeController = new AbortController();
      core.life = lifeController.signal;
      core.tasks = new TaskQueue(); // a restarted process knows no tasks
      await listen();
    },
    close: goOffline,
  };
}

function parseJsonOrNull(raw: Buffer): unknown {
  if (raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}
