import { BackendError, type ProgressUpdate } from '../types.ts';
import type { PreviewFrame } from './binary-frames.ts';
import type { HistoryEntry, Whereabouts } from './comfy-http.ts';
import { NodeProgress, runningNodeOf } from './node-progress.ts';
import { PromptProgress, samplerNodes } from './prompt-progress.ts';
import type { ComfyGraph } from './workflow.ts';

export interface WatchDeps {
  history(promptId: string, signal: AbortSignal): Promise<HistoryEntry | null>;
  locate(promptId: string, signal: AbortSignal): Promise<Whereabouts>;
  socketOpen(): boolean;
  onProgress(update: ProgressUpdate): void;
}

export interface WatchTiming {
  /** How often the server is asked while the WebSocket is up (a safety net for lost events). */
  pollOpenMs: number;
  /** …and while it is down: then polling is all we have. */
  pollClosedMs: number;
  /** After the end was announced, until history has the entry. */
  pollEndedMs: number;
  /** How long the server may fail to answer before the attempt gives up. */
  unreachableForMs: number;
}

export const DEFAULT_WATCH_TIMING: WatchTiming = { pollOpenMs: 10_000, pollClosedMs: 1_000, pollEndedMs: 50, unreachableForMs: 60_000 };

export type WatchEnd = { state: 'done'; entry: HistoryEntry } | { state: 'gone' };

const TERMINAL = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

/**
 * Follows one submitted prompt until its /history entry exists. WebSocket events drive
 * progress and announce the end; the server is asked directly when the socket reopens
 * (events sent while it was down are lost), when the end was announced, and on a slow
 * timer, so a lost event never leaves the job hanging.
 */
export class PromptWatch {
  #promptId: string;
  readonly #deps: WatchDeps;
  readonly #timing: WatchTiming;
  readonly #progress: PromptProgress;
  readonly #nodes: NodeProgress;
  /** No sampler reports steps (a decode / upscale / video graph): progress counts nodes instead. */
  readonly #progressByNodes: boolean;
  /** The status text every update carries: the running node, or a fixed text like "Cancelling…". */
  #statusText: string | null = null;
  #statusFixed = false;
  #started = false;
  #ended = false;
  #checkNow = false;
  #stopError: BackendError | null = null;
  #wake: (() => void) | null = null;
  #lastUpdate: ProgressUpdate = { progress: 0, etaSeconds: null, step: null, steps: null };

  constructor(promptId: string, graph: ComfyGraph | null, deps: WatchDeps, timing: WatchTiming = DEFAULT_WATCH_TIMING) {
    this.#promptId = promptId;
    this.#deps = deps;
    this.#timing = timing;
    this.#progress = new PromptProgress(graph);
    this.#nodes = new NodeProgress(graph);
    this.#progressByNodes = graph !== null && samplerNodes(graph).length === 0;
  }

  get promptId(): string {
    return this.#promptId;
  }

  /** The server started executing it (so it can no longer be taken back from the queue). */
  get started(): boolean {
    return this.#started;
  }

  /** POST /prompt answered with another id (an on_prompt hook may rewrite it). */
  rename(promptId: string): void {
    this.#promptId = promptId;
    this.recheck();
  }

  markStarted(): void {
    if (this.#started) return;
    this.#started = true;
    this.#progress.started();
    this.#report({ progress: this.#lastUpdate.progress, etaSeconds: null, step: null, steps: null });
  }

  /** Shows this text from now on, whatever runs (e.g. "Cancelling…" until the server confirms). */
  announce(text: string): void {
    this.#statusText = text;
    this.#statusFixed = true;
    this.#report({ ...this.#lastUpdate, statusText: text });
  }

  #nodeStarted(node: unknown): void {
    const text = this.#nodes.executing(node);
    if (text === null) return;
    if (!this.#statusFixed) this.#statusText = text;
    const progress = this.#progressByNodes ? Math.max(this.#lastUpdate.progress, this.#nodes.fraction()) : this.#lastUpdate.progress;
    this.#report({ ...this.#lastUpdate, progress });
  }

  /** A JSON event whose prompt_id is ours. */
  handle(type: string, data: Record<string, unknown>): void {
    switch (type) {
      case 'execution_start':
        this.markStarted();
        break;
      case 'execution_cached':
        this.#progress.cached(data.nodes);
        this.#nodes.cached(data.nodes);
        break;
      case 'executing':
        this.markStarted();
        if (data.node == null) this.#end();
        else {
          this.#progress.executing(data.node);
          this.#nodeStarted(data.node);
        }
        break;
      case 'progress_state': {
        const running = runningNodeOf(data);
        if (running !== null) {
          this.markStarted();
          this.#nodeStarted(running);
        }
        break;
      }
      case 'progress': {
        this.markStarted();
        const update = this.#progress.step(data.node, data.value, data.max);
        if (update) this.#report(update);
        break;
      }
      default:
        if (TERMINAL.has(type)) this.#end();
    }
  }

  preview(frame: PreviewFrame): void {
    this.#report({ ...this.#lastUpdate, preview: { data: frame.image, mime: frame.mime } });
  }

  /** Ask the server at the next turn (socket reopened or closed, or we changed the prompt there). */
  recheck(): void {
    this.#checkNow = true;
    this.#wake?.();
  }

  /** End the wait with this error (the prompt was deleted from the server's queue). */
  stop(error: BackendError): void {
    this.#stopError ??= error;
    this.#wake?.();
  }

  async waitForEnd(signal: AbortSignal): Promise<WatchEnd> {
    let failingSince: number | null = null;
    for (;;) {
      if (signal.aborted) throw abortError(signal);
      if (this.#stopError) throw this.#stopError;
      if (this.#checkNow) {
        this.#checkNow = false;
        try {
          const end = await this.#check(signal);
          failingSince = null;
          if (end) return end;
        } catch (error) {
          if (signal.aborted) throw abortError(signal);
          if (this.#stopError) throw this.#stopError;
          failingSince ??= Date.now();
          if (Date.now() - failingSince > this.#timing.unreachableForMs) throw error;
          this.#checkNow = true;
          await this.#sleep(this.#timing.pollClosedMs, signal);
          continue;
        }
      }
      const interval = this.#ended ? this.#timing.pollEndedMs
        : this.#deps.socketOpen() ? this.#timing.pollOpenMs : this.#timing.pollClosedMs;
      if (await this.#sleep(interval, signal) === 'timeout') this.#checkNow = true;
    }
  }

  async #check(signal: AbortSignal): Promise<WatchEnd | null> {
    // Once the end was announced, history is the one place to look.
    if (this.#ended) {
      const entry = await this.#deps.history(this.#promptId, signal);
      if (entry) return { state: 'done', entry };
    }
    const where = await this.#deps.locate(this.#promptId, signal);
    if (where.state === 'done' || where.state === 'gone') return where;
    if (where.state === 'running') this.markStarted();
    return null;
  }

  #end(): void {
    this.#ended = true;
    this.recheck();
  }

  #report(update: ProgressUpdate): void {
    const full = { ...update, statusText: this.#statusText };
    const { preview: _preview, ...rest } = full;
    this.#lastUpdate = rest;
    this.#deps.onProgress(full);
  }

  #sleep(ms: number, signal: AbortSignal): Promise<'timeout' | 'woken'> {
    return new Promise((resolve) => {
      const finish = (how: 'timeout' | 'woken') => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#wake = null;
        resolve(how);
      };
      const onAbort = () => finish('woken');
      const timer = setTimeout(() => finish('timeout'), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#wake = () => finish('woken');
    });
  }
}

function abortError(signal: AbortSignal): BackendError {
  const reason = signal.reason as unknown;
  return reason instanceof BackendError ? reason : new BackendError('cancelled', 'Stopped');
}
