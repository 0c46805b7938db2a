import {
  BATCH_AXIS_FIELDS, BATCH_LIMITS, batchAxisTitle, LORA_AXIS_PREFIX, type BatchAxis, type BatchMode, type ExpandedAxis, type PromptMode,
} from '../../../shared/batches.ts';
import type { GenerationParams, Lora } from '../../../shared/jobs.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { combinatorialPrompts, DynamicPromptError, isDynamicPrompt, randomPrompt, seededRandom, type WildcardSource } from './dynamic-prompts.ts';

/**
 * A batch request turned into jobs, as plain data: the axes with their values resolved
 * (random seeds drawn, a server's checkpoints listed, dynamic prompts expanded), the job
 * count checked against the cap, then one set of generation params per job. Pure: the
 * server's checkpoints, the wildcards and randomness come in.
 */

/** A request the expansion refuses; the API answers it as a 400 with this code. */
export class BatchExpansionError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface ExpansionInput {
  baseParams: GenerationParams;
  axes: Record<string, BatchAxis>;
  mode: BatchMode;
  promptMode: PromptMode;
  promptSeed: number;
  maxJobs: number;
  wildcards: WildcardSource;
  /** The target server's checkpoint names, for { all_on_server } and { folder }; null when not known. */
  serverCheckpoints: readonly string[] | null;
  /** Uniform integers in [0, 2^32), for { random: n } seeds. */
  randomSeed: () => number;
}

export interface ExpandedJob {
  /** The job's cell in the grid: axis 0 varies fastest (the contact sheet's columns), then axis 1 (rows)… */
  cell: number;
  params: GenerationParams;
  labels: string[];
}

export interface Expansion {
  axes: ExpandedAxis[];
  jobCount: number;
  /** Made on demand, so a dry run of a large batch builds only what it previews. */
  job(cell: number): ExpandedJob;
  /** Cells in the order the jobs should run: one checkpoint's jobs together (fewer model loads), else cell order. */
  runOrder(): number[];
}

const TEXT_FIELDS = new Set(['positive_prompt', 'negative_prompt', 'checkpoint_name', 'sampler_name', 'scheduler', 'vae', 'prompt_sr']);
const FIELD_LIST = `${BATCH_AXIS_FIELDS.join(', ')}, ${LORA_AXIS_PREFIX}<name>`;

/** A label's value part: short enough for a grid cell, the same for the same value. */
function valueLabel(field: string, value: string | number): string {
  if (field === 'checkpoint_name' && typeof value === 'string') {
    const base = value.replace(/\s*\[[0-9a-f]+\]$/i, '').split(/[\\/]/).pop() ?? value;
    return base.replace(/\.(safetensors|ckpt|pt|pth|gguf)$/i, '');
  }
  return String(value);
}

function checkNumber(field: string, value: string | number, { integer, min, max }: { integer: boolean; min: number; max: number }): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new BatchExpansionError('validation_error', `The ${field} axis has ${JSON.stringify(value)}; each value must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`);
  }
  return n;
}

/** Checks one listed value for its field and returns it in the type the job stores. */
function checkedValue(field: string, value: string | number): string | number {
  if (TEXT_FIELDS.has(field)) {
    if (typeof value !== 'string') throw new BatchExpansionError('validation_error', `The ${field} axis lists ${value}; its values must be text.`);
    if (field !== 'positive_prompt' && field !== 'negative_prompt' && field !== 'prompt_sr' && value.trim() === '') {
      throw new BatchExpansionError('validation_error', `The ${field} axis has an empty value.`);
    }
    if (value.length > LIMITS.promptChars) throw new BatchExpansionError('validation_error', `A ${field} value is longer than ${LIMITS.promptChars} characters.`);
    return value;
  }
  switch (field) {
    case 'seed': return checkNumber(field, value, { integer: true, min: -1, max: LIMITS.maxSeed });
    case 'steps': return checkNumber(field, value, { integer: true, min: 1, max: LIMITS.maxSteps });
    case 'cfg_scale': case 'distilled_cfg_scale': return checkNumber(field, value, { integer: false, min: 0, max: 100 });
    case 'denoising_strength': return checkNumber(field, value, { integer: false, min: 0, max: 1 });
    case 'size': {
      const match = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(String(value));
      const inRange = (n: number) => n >= LIMITS.minSide && n <= LIMITS.maxSide;
      if (!match || !inRange(Number(match[1])) || !inRange(Number(match[2]))) {
        throw new BatchExpansionError('validation_error', `The size axis has ${JSON.stringify(value)}; each value is "WxH" with sides from ${LIMITS.minSide} to ${LIMITS.maxSide}, e.g. "832x1216".`);
      }
      return `${Number(match[1])}x${Number(match[2])}`;
    }
    default: // lora:<name>
      return checkNumber(field, value, { integer: false, min: -10, max: 10 });
  }
}

function checkedAxisName(name: string): string {
  if ((BATCH_AXIS_FIELDS as readonly string[]).includes(name)) return name;
  if (name.startsWith(LORA_AXIS_PREFIX) && name.slice(LORA_AXIS_PREFIX.length).trim() !== '') return name;
  throw new BatchExpansionError('unknown_axis', `"${name}" cannot be an axis. Axes: ${FIELD_LIST}.`);
}

/** The axis's values, with special forms ({ random }, { all_on_server }, { folder }) resolved. */
function resolvedValues(name: string, axis: BatchAxis, input: ExpansionInput): (string | number)[] {
  if (Array.isArray(axis)) return axis.map((value) => checkedValue(name.startsWith(LORA_AXIS_PREFIX) ? 'lora' : name, value));
  if ('random' in axis) {
    if (name !== 'seed') throw new BatchExpansionError('validation_error', `{ random: n } is for the seed axis only, not ${name}.`);
    return Array.from({ length: axis.random }, () => input.randomSeed());
  }
  if (name !== 'checkpoint_name') throw new BatchExpansionError('validation_error', `{ all_on_server } and { folder } are for the checkpoint_name axis only, not ${name}.`);
  if (!input.serverCheckpoints) {
    throw new BatchExpansionError('checkpoints_unknown', "The target server's checkpoints are not known: name a server that is online as target_server_alias, or list the checkpoints.");
  }
  const folder = 'folder' in axis ? axis.folder.replace(/\\/g, '/').toLowerCase() : null;
  const chosen = folder === null ? [...input.serverCheckpoints] : input.serverCheckpoints.filter((c) => c.replace(/\\/g, '/').toLowerCase().startsWith(folder));
  if (chosen.length === 0) {
    throw new BatchExpansionError('no_checkpoints', folder === null ? 'The target server lists no checkpoints.' : `No checkpoint on the target server is in the folder "${'folder' in axis ? axis.folder : ''}".`);
  }
  return chosen;
}

function withLoraWeight(loras: readonly Lora[] | undefined, name: string, weight: number): Lora[] {
  const list = [...(loras ?? [])];
  const at = list.findIndex((l) => l.name.toLowerCase() === name.toLowerCase());
  if (at >= 0) list[at] = { ...list[at], weight };
  else list.push({ name, weight });
  return list;
}

/** Sets one axis to its value at this cell on a job's own copy of the params (one copy per job, not one per axis). */
function applyAxis(params: GenerationParams, axis: ExpandedAxis, value: string | number): void {
  if (axis.name === 'size') {
    const [width, height] = String(value).split('x').map(Number);
    params.width = width;
    params.height = height;
  } else if (axis.name === 'prompt_sr') {
    const search = String(axis.values[0]);
    const replace = (text: unknown) => (typeof text === 'string' && search !== '' ? text.split(search).join(String(value)) : text);
    params.positive_prompt = replace(params.positive_prompt) as string | undefined;
    params.negative_prompt = replace(params.negative_prompt) as string | undefined;
  } else if (axis.name.startsWith(LORA_AXIS_PREFIX)) {
    params.loras = withLoraWeight(params.loras, axis.name.slice(LORA_AXIS_PREFIX.length).trim(), Number(value));
  } else {
    params[axis.name] = value;
  }
}

function dynamicError<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DynamicPromptError) throw new BatchExpansionError('bad_prompt', error.message);
    throw error;
  }
}

const isDynamic = (text: string) => dynamicError(() => isDynamicPrompt(text));

/** The expanded axes and the count; throws (batch_too_large) when the count passes the cap, before making any job. */
export function expandBatch(input: ExpansionInput): Expansion {
  const names = Object.keys(input.axes).map(checkedAxisName);
  if (input.axes.prompt_sr && Array.isArray(input.axes.prompt_sr) && String(input.axes.prompt_sr[0] ?? '') === '') {
    throw new BatchExpansionError('validation_error', 'The prompt_sr axis starts with the text to search for in the prompts; it is empty.');
  }
  const axes: ExpandedAxis[] = names.map((name) => {
    const values = resolvedValues(name, input.axes[name], input);
    return { name, values, labels: values.map((v) => valueLabel(name, v)) };
  });
  // Combinatorial dynamic prompts: every variant is one value of its prompt axis (an axis
  // the request named, or one added after the named ones for a dynamic base prompt).
  if (input.promptMode === 'combinatorial') {
    for (const field of ['positive_prompt', 'negative_prompt'] as const) {
      const axis = axes.find((a) => a.name === field);
      const expand = (text: string) => (isDynamic(text) ? dynamicError(() => combinatorialPrompts(text, input.wildcards, input.maxJobs)) : [text]);
      if (axis) {
        const values = axis.values.flatMap((v) => expand(String(v)));
        axes[axes.indexOf(axis)] = { name: field, values, labels: values.map(String) };
      } else if (typeof input.baseParams[field] === 'string' && isDynamic(input.baseParams[field])) {
        const values = expand(input.baseParams[field]);
        axes.push({ name: field, values, labels: values });
      }
    }
  }
  if (axes.length === 0) throw new BatchExpansionError('validation_error', `A batch needs at least one axis (${FIELD_LIST}), e.g. "seed": { "random": 4 }.`);
  if (axes.length > BATCH_LIMITS.axes) throw new BatchExpansionError('validation_error', `A batch has at most ${BATCH_LIMITS.axes} axes; this one has ${axes.length}.`);

  const sizes = axes.map((a) => a.values.length);
  let jobCount: number;
  if (input.mode === 'zip') {
    if (new Set(sizes).size > 1) {
      throw new BatchExpansionError('zip_lengths_differ', `Zipped axes need the same number of values; these have ${axes.map((a) => `${a.name} ${a.values.length}`).join(', ')}.`);
    }
    jobCount = sizes[0] ?? 1;
  } else {
    jobCount = sizes.reduce((product, n) => product * n, 1);
  }
  if (jobCount > input.maxJobs) {
    const formula = input.mode === 'zip' || sizes.length < 2 ? '' : ` (${axes.map((a) => `${a.values.length} ${a.name}`).join(' × ')})`;
    throw new BatchExpansionError('batch_too_large', `This batch would make ${jobCount} jobs${formula}; the limit is ${input.maxJobs} (setting batch_max_jobs). Use fewer values, or raise the limit.`);
  }

  const coordinates = (cell: number): number[] => {
    if (input.mode === 'zip') return axes.map(() => cell);
    let rest = cell;
    return sizes.map((n) => {
      const c = rest % n;
      rest = Math.floor(rest / n);
      return c;
    });
  };
  const random = seededRandom(input.promptSeed);
  const randomPrompts = new Map<number, { positive?: string; negative?: string }>();
  // Random prompts are drawn in cell order once, so a job's prompt does not depend on which jobs were previewed.
  const drawRandomPrompts = () => {
    if (randomPrompts.size > 0 || input.promptMode !== 'random') return;
    for (let cell = 0; cell < jobCount; cell++) {
      const params = baseAt(cell);
      const draw = (text: unknown) => (typeof text === 'string' && isDynamic(text) ? dynamicError(() => randomPrompt(text, input.wildcards, random)) : undefined);
      randomPrompts.set(cell, { positive: draw(params.positive_prompt), negative: draw(params.negative_prompt) });
    }
  };
  // Prompt axes first, so prompt_sr replaces in the prompt this job has.
  const applyOrder = axes.map((_, i) => i).sort((a, b) => Number(axes[a].name === 'prompt_sr') - Number(axes[b].name === 'prompt_sr'));
  const baseAt = (cell: number): GenerationParams => {
    const at = coordinates(cell);
    const params: GenerationParams = { ...input.baseParams };
    for (const i of applyOrder) applyAxis(params, axes[i], axes[i].values[at[i]]);
    return params;
  };

  return {
    axes,
    jobCount,
    job(cell) {
      drawRandomPrompts();
      const at = coordinates(cell);
      const params = baseAt(cell);
      const drawn = randomPrompts.get(cell);
      if (drawn?.positive !== undefined) params.positive_prompt = drawn.positive;
      if (drawn?.negative !== undefined) params.negative_prompt = drawn.negative;
      return { cell, params, labels: axes.map((axis, i) => `${batchAxisTitle(axis.name)}: ${axis.labels[at[i]]}`) };
    },
    runOrder() {
      const cells = Array.from({ length: jobCount }, (_, i) => i);
      const checkpointAxis = axes.findIndex((a) => a.name === 'checkpoint_name');
      if (checkpointAxis < 0 || input.mode === 'zip') return cells;
      return cells.sort((a, b) => coordinates(a)[checkpointAxis] - coordinates(b)[checkpointAxis] || a - b);
    },
  };
}
