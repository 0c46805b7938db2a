// The prompt worker: main.py's prompt_worker + execution.py's PromptExecutor.
// One prompt at a time; the next pending prompt starts as soon as the previous
// one is done. Emits the same WS events in the same order, keeps ComfyUI's
// classic per-node output cache (keyed by input signature, trimmed to the
// current prompt), and writes the history entry.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { NodeDef } from './catalogue.ts';
import type { FaultBoard } from './faults.ts';
import type { ImageDirs } from './image-files.ts';
import { formatValue, NodeFailure, resolveInputImage, runNode, type NodeRunContext } from './node-runtime.ts';
import type { PromptQueue } from './prompt-queue.ts';
import { asNumber, PyFloat, pyDumps } from './py-json.ts';
import type { ExecutionRecord, Graph, NodeMeta, QueueItem, StatusMessage, UiOutput } from './types.ts';
import type { WsHub } from './ws-hub.ts';

export interface WorkerSettings {
  stepMs: number;
  /** Extra uninterruptible time per node class. */
  nodeMs: Record<string, number>;
  previews: boolean;
  dirs: ImageDirs;
  maxImageSide: number;
}

export interface WorkerDeps {
  queue: PromptQueue;
  hub: WsHub;
  faults: FaultBoard;
  catalogue: () => Record<string, NodeDef>;
  settings: WorkerSettings;
  executions: ExecutionRecord[];
  /** ws_drop / restart faults whose progress countdown ran out. */
  onProgressFaults(faults: ReturnType<FaultBoard['onProgress']>): void;
  /** Called whenever the worker goes idle with nothing pending. */
  onIdle(): void;
}

interface CacheEntry {
  outputs: unknown[];
  ui: { output: UiOutput; meta: NodeMeta } | null;
}

interface ProgressEntry {
  state: 'pending' | 'running' | 'finished' | 'error';
  value: number | PyFloat;
  max: number | PyFloat;
}

type NodeOutcome = { ok: true } | { ok: false; interrupted: boolean; nodeId: string; error?: NodeFailure; currentInputs?: Record<string, unknown[]> };

/** comfy.model_management.InterruptProcessingException */
class Interrupted extends Error {}
/** The emulator was restarted or closed under a running prompt. */
class Aborted extends Error {}

const FAKE_TRACEBACK = [
  '  File "/ComfyUI/execution.py", line 496, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n',
  '  File "/ComfyUI/execution.py", line 315, in get_output_data\n    return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n',
  '  File "/ComfyUI/execution.py", line 289, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n',
  '  File "/ComfyUI/execution.py", line 277, in process_inputs\n    result = f(**inputs)\n',
];

export class PromptWorker {
  private readonly deps: WorkerDeps;
  private epoch = 0;
  private busy = false;
  private interruptRequested = false;
  /** server.client_id: the sid of the prompt that ran last (kept after it ends, like ComfyUI). */
  private clientId: string | null = null;
  /** server.last_node_id: set while a node runs, cleared when the prompt ends. */
  private lastNodeId: string | null = null;
  private runningPromptId: string | null = null;
  private runningRecord: ExecutionRecord | null = null;
  private cache = new Map<string, CacheEntry>();
  private sleepers = new Set<() => void>();

  constructor(deps: WorkerDeps) {
    this.deps = deps;
  }

  /** Start the next pending prompt if idle. */
  kick(): void {
    if (this.busy) return;
    const next = this.deps.queue.get();
    if (!next) {
      this.deps.onIdle();
      return;
    }
    this.busy = true;
    const epoch = this.epoch;
    this.run(next.item, next.taskId, epoch)
      .catch((err: unknown) => {
        if (!(err instanceof Aborted)) console.error('[comfyui-emulator] worker crashed:', err);
      })
      .finally(() => {
        if (epoch !== this.epoch) return;
        this.busy = false;
        this.kick();
      });
  }

  isBusy(): boolean {
    return this.busy;
  }

  /** POST /interrupt: global, or only when `promptId` is the running prompt. */
  interrupt(promptId?: string): void {
    if (promptId !== undefined && promptId !== this.runningPromptId) return;
    this.interruptRequested = true;
  }

  /** The node to re-send to a reconnecting socket, as server.py's websocket_handler does. */
  currentNodeFor(sid: string): string | null {
    return this.clientId === sid && this.lastNodeId !== null ? this.lastNodeId : null;
  }

  /** Forget the running prompt and the cache (process restart / shutdown). */
  reset(): void {
    this.epoch++;
    this.busy = false;
    this.interruptRequested = false;
    this.clientId = null;
    this.lastNodeId = null;
    this.runningPromptId = null;
    if (this.runningRecord) this.runningRecord.outcome = 'aborted';
    this.runningRecord = null;
    this.cache.clear();
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
  }

  private async run(item: QueueItem, taskId: number, epoch: number): Promise<void> {
    const [number, promptId, prompt, extraData, outputsToExecute] = item;
    const { hub, queue } = this.deps;
    // execute_async(): the interrupt flag is cleared at the start of each prompt.
    this.interruptRequested = false;
    this.clientId = Object.hasOwn(extraData, 'client_id') && extraData.client_id !== null ? String(extraData.client_id) : null;
    this.runningPromptId = promptId;
    const clientId = this.clientId;
    const messages: StatusMessage[] = [];
    const addMessage = (event: string, data: Record<string, unknown>, broadcast: boolean): void => {
      const full = { ...data, timestamp: Date.now() };
      messages.push([event, full]);
      if (clientId !== null || broadcast) hub.sendJson(event, full, clientId);
    };

    addMessage('execution_start', { prompt_id: promptId }, false);
    const record: ExecutionRecord = {
      promptId,
      number: asNumber(number) ?? 0,
      clientId,
      startedAt: Date.now(),
      startedPerf: performance.now(),
      endedAt: null,
      endedPerf: null,
      finishedAt: null,
      finishedPerf: null,
      cached: false,
      cachedNodes: [],
      executedNodes: [],
      outcome: 'running',
      files: [],
    };
    this.deps.executions.push(record);
    this.runningRecord = record;

    const signatures = computeSignatures(prompt, this.deps.settings.dirs);
    const keep = new Set(signatures.values());
    for (const key of [...this.cache.keys()]) if (!keep.has(key)) this.cache.delete(key);
    const cachedNodes = Object.keys(prompt).filter((id) => this.cache.has(signatures.get(id) as string));
    record.cachedNodes = cachedNodes;
    addMessage('execution_cached', { nodes: cachedNodes, prompt_id: promptId }, false);

    const progress = new Map<string, ProgressEntry>();
    const sendProgressState = (): void => {
      const nodes: Record<string, unknown> = {};
      for (const [id, entry] of progress) {
        if (entry.state === 'pending') continue;
        nodes[id] = { value: entry.value, max: entry.max, state: entry.state, node_id: id, prompt_id: promptId, display_node_id: id, parent_node_id: null, real_node_id: id };
      }
      hub.sendJson('progress_state', { prompt_id: promptId, nodes }, clientId);
    };
    const ensureEntry = (id: string): ProgressEntry => {
      let entry = progress.get(id);
      if (!entry) progress.set(id, (entry = { state: 'pending', value: 0, max: 1 }));
      return entry;
    };

    const values = new Map<string, unknown[]>();
    const executed: string[] = [];
    let outcome: NodeOutcome = { ok: true };

    for (const nodeId of executionOrder(prompt, outputsToExecute)) {
      const node = prompt[nodeId];
      const signature = signatures.get(nodeId) as string;
      const cached = this.cache.get(signature);
      if (cached) {
        if (clientId !== null) hub.sendJson('executed', { node: nodeId, display_node: nodeId, output: cached.ui?.output ?? null, prompt_id: promptId }, clientId);
        const entry = ensureEntry(nodeId);
        entry.state = 'finished';
        entry.value = entry.max;
        sendProgressState();
        values.set(nodeId, cached.outputs);
        continue;
      }

      const entry = ensureEntry(nodeId);
      Object.assign(entry, { state: 'running', value: new PyFloat(0), max: new PyFloat(1) });
      sendProgressState();
      const inputs = resolveInputs(node, this.deps.catalogue()[node.class_type], values);
      if (clientId !== null) {
        this.lastNodeId = nodeId;
        hub.sendJson('executing', { node: nodeId, display_node: nodeId, prompt_id: promptId }, clientId);
      }

      const ctx: NodeRunContext = {
        nodeId,
        promptId,
        signature,
        prompt,
        extraData,
        stepMs: this.deps.settings.stepMs,
        previews: this.deps.settings.previews,
        dirs: this.deps.settings.dirs,
        maxImageSide: this.deps.settings.maxImageSide,
        wait: (ms) => this.sleep(ms, epoch),
        progress: (value, max, preview) => {
          this.assertLive(epoch);
          if (this.interruptRequested) throw new Interrupted();
          Object.assign(entry, { state: 'running', value, max });
          sendProgressState();
          const withMetadata = hub.supportsPreviewMetadata(clientId);
          if (preview && withMetadata) {
            hub.sendPreviewWithMetadata(preview, { node_id: nodeId, prompt_id: promptId, display_node_id: nodeId, parent_node_id: null, real_node_id: nodeId, image_type: 'image/jpeg' }, clientId);
          }
          hub.sendJson('progress', { value, max, prompt_id: promptId, node: nodeId }, clientId);
          if (preview && !withMetadata) hub.sendPreview(preview, 1, clientId);
          const due = this.deps.faults.onProgress();
          if (due.length > 0) this.deps.onProgressFaults(due);
        },
      };

      try {
        // before_node_execution(): an interrupt is noticed as soon as a node starts.
        if (this.interruptRequested) throw new Interrupted();
        const fault = this.deps.faults.takeNodeError(node.class_type);
        if (fault) {
          throw new NodeFailure(fault.exceptionType ?? 'RuntimeError', fault.message ?? `Emulated failure in ${node.class_type} (node ${nodeId})`);
        }
        // A long node (decode, upscale) never looks at the interrupt flag while it works.
        const extraMs = this.deps.settings.nodeMs[node.class_type];
        if (extraMs) await ctx.wait(extraMs);
        const result = await runNode(node.class_type, inputs, ctx);
        this.assertLive(epoch);
        let ui: CacheEntry['ui'] = null;
        if (result.ui && Object.keys(result.ui).length > 0) {
          ui = { output: result.ui, meta: { node_id: nodeId, display_node: nodeId, parent_node: null, real_node_id: nodeId } };
          if (clientId !== null) hub.sendJson('executed', { node: nodeId, display_node: nodeId, output: result.ui, prompt_id: promptId }, clientId);
        }
        this.cache.set(signature, { outputs: result.outputs, ui });
        values.set(nodeId, result.outputs);
        record.files.push(...(result.files ?? []));
      } catch (err) {
        if (err instanceof Aborted || epoch !== this.epoch) throw new Aborted();
        if (err instanceof Interrupted) {
          outcome = { ok: false, interrupted: true, nodeId };
        } else {
          const failure = err instanceof NodeFailure ? err : new NodeFailure('Exception', err instanceof Error ? err.message : String(err));
          const currentInputs: Record<string, unknown[]> = {};
          for (const [name, value] of Object.entries(inputs)) currentInputs[name] = [formatValue(value)];
          outcome = { ok: false, interrupted: false, nodeId, error: failure, currentInputs };
        }
        break;
      }
      entry.state = 'finished';
      entry.value = entry.max;
      sendProgressState();
      if (!executed.includes(nodeId)) executed.push(nodeId);
    }

    // handle_execution_error() / the for-else success branch.
    if (outcome.ok) {
      addMessage('execution_success', { prompt_id: promptId }, false);
      record.outcome = 'success';
    } else if (outcome.interrupted) {
      addMessage('execution_interrupted', { prompt_id: promptId, node_id: outcome.nodeId, node_type: prompt[outcome.nodeId].class_type, executed: [...executed] }, true);
      record.outcome = 'interrupted';
    } else {
      const error = outcome.error as NodeFailure;
      addMessage(
        'execution_error',
        {
          prompt_id: promptId,
          node_id: outcome.nodeId,
          node_type: prompt[outcome.nodeId].class_type,
          executed: [...executed],
          exception_message: `${error.message}\n`,
          exception_type: error.pyType,
          traceback: FAKE_TRACEBACK,
          current_inputs: outcome.currentInputs ?? {},
          current_outputs: Object.keys(prompt),
        },
        false,
      );
      record.outcome = 'error';
    }
    record.endedAt = Date.now();
    record.endedPerf = performance.now();
    record.executedNodes = executed;
    record.cached = executed.length === 0 && outcome.ok;

    const historyOutputs: Record<string, UiOutput> = {};
    const meta: Record<string, NodeMeta> = {};
    for (const id of Object.keys(prompt)) {
      const ui = this.cache.get(signatures.get(id) as string)?.ui;
      if (!ui) continue;
      historyOutputs[id] = ui.output;
      meta[id] = ui.meta;
    }
    this.lastNodeId = null;
    this.runningPromptId = null;
    this.runningRecord = null;
    queue.taskDone(taskId, {
      outputs: historyOutputs,
      meta,
      status: { status_str: outcome.ok ? 'success' : 'error', completed: outcome.ok, messages },
    });
    if (clientId !== null) hub.sendJson('executing', { node: null, prompt_id: promptId }, clientId);
    record.finishedAt = Date.now();
    record.finishedPerf = performance.now();
  }

  private assertLive(epoch: number): void {
    if (epoch !== this.epoch) throw new Aborted();
  }

  private sleep(ms: number, epoch: number): Promise<void> {
    this.assertLive(epoch);
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        if (epoch !== this.epoch) reject(new Aborted());
        else resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** Dependencies first, depth-first from each output, in input order. */
function executionOrder(prompt: Graph, outputs: string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id) || !Object.hasOwn(prompt, id)) return;
    seen.add(id);
    for (const value of Object.values(prompt[id].inputs ?? {})) {
      if (isLink(value)) visit(value[0]);
    }
    order.push(id);
  };
  for (const output of outputs) visit(output);
  return order;
}

function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

/** get_input_data(): linked values from upstream outputs, literals for declared inputs only. */
function resolveInputs(node: Graph[string], def: NodeDef | undefined, values: Map<string, unknown[]>): Record<string, unknown> {
  const declared = new Set([...Object.keys(def?.input.required ?? {}), ...Object.keys(def?.input.optional ?? {})]);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(node.inputs ?? {})) {
    if (isLink(value)) {
      const upstream = values.get(value[0]);
      out[name] = upstream && value[1] < upstream.length ? upstream[value[1]] : null;
    } else if (declared.has(name)) {
      out[name] = value;
    }
  }
  return out;
}

/**
 * CacheKeySetInputSignature: class_type plus inputs sorted by name, links
 * replaced by the upstream node's signature. LoadImage adds its file hash, as
 * its IS_CHANGED does.
 */
function computeSignatures(prompt: Graph, dirs: ImageDirs): Map<string, string> {
  const memo = new Map<string, string>();
  const visiting = new Set<string>();
  const signatureOf = (id: string): string => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    if (!Object.hasOwn(prompt, id)) return pyDumps(['missing', id]);
    if (visiting.has(id)) return pyDumps(['cycle', id]);
    visiting.add(id);
    const node = prompt[id];
    const inputs = Object.entries(node.inputs ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => [name, isLink(value) ? ['link', signatureOf(value[0]), value[1]] : value]);
    const parts: unknown[] = [node.class_type, inputs];
    if (node.class_type === 'LoadImage') parts.push(fileHash(resolveInputImage(dirs, String(node.inputs?.image))));
    visiting.delete(id);
    const signature = pyDumps(parts);
    memo.set(id, signature);
    return signature;
  };
  for (const id of Object.keys(prompt)) signatureOf(id);
  return memo;
}

function fileHash(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
}

