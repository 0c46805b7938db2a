/**
 * Everything the route handlers share: the "process" of the emulated server.
 * index.ts builds one; setOnline(false) aborts `life` (a crashed process loses its queue).
 */
import type { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { checkpointTitle, type Catalog, type Checkpoint } from './catalog.ts';
import type { FifoLock } from './fifo-lock.ts';
import type { ProcessingState } from './processing-state.ts';
import type { TaskQueue } from './task-queue.ts';
import type { Flavor, GenerationRecord } from './types.ts';

export interface EmulatorSettings {
  stepMs: number;
  modelLoadMs: number;
  maxImageSide: number;
  version: string;
  alwaysonScripts: string[];
  scriptArgCounts: Record<string, number>;
  /** `--nowebui`: the `/internal/*` routes of the web UI are absent */
  nowebui: boolean;
  /** total GPU memory `/sdapi/v1/memory` reports, in bytes */
  vramBytes: number;
  /** a generation making more pixels than this (width × height × batch, hires counted) runs out of GPU memory */
  oomAbovePixels: number;
}

export interface EmulatorCore {
  flavor: Flavor;
  catalog: Catalog;
  /** `shared.opts.data` */
  options: Record<string, unknown>;
  state: ProcessingState;
  /** `modules/progress.py`: current, pending and finished task ids */
  tasks: TaskQueue;
  lock: FifoLock;
  /** weights actually in memory; may lag behind options.sd_model_checkpoint (Forge loads lazily) */
  loaded: Checkpoint;
  settings: EmulatorSettings;
  /** aborted when the server goes offline or closes */
  life: AbortSignal;
  generationLog: GenerationRecord[];
  events: EventEmitter;
  /** generations that ran out of the emulated GPU memory (reported in `/sdapi/v1/memory` events) */
  oomCount?: number;
}

export const now = (): number => performance.timeOrigin + performance.now();

/**
 * Waits, unless the server life the caller started in ends first. Callers hold on to the
 * `life` they began with, so work from before an offline spell never leaks into the next one.
 */
export function sleep(life: AbortSignal, ms: number): Promise<void> {
  return delay(ms, undefined, { signal: life });
}

/** `sd_models.reload_model_weights`: load the selected checkpoint if it is not the one in memory. */
export async function reloadModelWeights(core: EmulatorCore, life: AbortSignal): Promise<Checkpoint> {
  const selected = core.catalog.findCheckpoint(String(core.options.sd_model_checkpoint)) ?? core.loaded;
  if (selected !== core.loaded) {
    await sleep(life, core.settings.modelLoadMs);
    core.loaded = selected;
  }
  // loading computes the sha256, so an unhashed title gains its [hash] suffix now
  selected.hashed = true;
  core.options.sd_model_checkpoint = checkpointTitle(selected);
  core.options.sd_checkpoint_hash = selected.sha256;
  return selected;
}
