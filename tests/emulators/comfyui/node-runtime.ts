// What each emulated node does when it runs. Models and tensors are stand-in
// objects; samplers take `steps` steps of stepMs with progress and previews;
// SaveImage/PreviewImage write real PNGs with ComfyUI's names and text chunks.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { hash32, makePreviewJpeg, saveImageBatch, SavePathError, type ImageBatch, type ImageDirs } from './image-files.ts';
import { asNumber, pyDumps, pyStr } from './py-json.ts';
import type { ExtraData, Graph, UiOutput } from './types.ts';

interface ModelValue { kind: 'MODEL'; ckpt: string; loras: string[] }
interface ClipValue { kind: 'CLIP'; ckpt: string; loras: string[] }
interface VaeValue { kind: 'VAE'; name: string }
interface ConditioningValue { kind: 'CONDITIONING'; text: string }
interface LatentValue extends ImageBatch { kind: 'LATENT' }
interface ImageValue extends ImageBatch { kind: 'IMAGE' }
interface MaskValue { kind: 'MASK'; width: number; height: number }

/** The Python-side string of a stand-in object, as format_value()/str() would show it. */
const PY_OBJECT_NAMES: Record<string, string> = {
  MODEL: 'comfy.model_patcher.ModelPatcher',
  CLIP: 'comfy.sd.CLIP',
  VAE: 'comfy.sd.VAE',
};

export interface NodeRunContext {
  nodeId: string;
  promptId: string;
  /** The node's cache signature; pixel content is derived from it. */
  signature: string;
  prompt: Graph;
  extraData: ExtraData;
  stepMs: number;
  previews: boolean;
  dirs: ImageDirs;
  maxImageSide: number;
  /** The sampler progress hook: may throw to interrupt or abort. */
  progress(value: number, max: number, preview: Buffer | null): void;
  /** Abortable sleep. */
  wait(ms: number): Promise<void>;
}

export interface NodeResult {
  outputs: unknown[];
  ui?: UiOutput;
  /** Files written, relative to their type dir. */
  files?: string[];
}

/** An exception raised inside a node: becomes execution_error. */
export class NodeFailure extends Error {
  readonly pyType: string;
  constructor(pyType: string, message: string) {
    super(message);
    this.pyType = pyType;
  }
}

type Inputs = Record<string, unknown>;
type Runner = (inputs: Inputs, ctx: NodeRunContext) => Promise<NodeResult>;

export async function runNode(classType: string, inputs: Inputs, ctx: NodeRunContext): Promise<NodeResult> {
  const runner = RUNNERS[classType];
  if (!runner) throw new NodeFailure('KeyError', `'${classType}'`);
  return runner(inputs, ctx);
}

/** format_value() for execution_error's current_inputs. */
export function formatValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || asNumber(value) !== undefined) return value;
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind !== 'string') return pyStr(value);
  const name = PY_OBJECT_NAMES[kind];
  return name ? `<${name} object at 0x7f3a2c1d9e50>` : `tensor(<${kind.toLowerCase()}>)`;
}

const RUNNERS: Record<string, Runner> = {
  async CheckpointLoaderSimple(inputs) {
    const ckpt = String(inputs.ckpt_name);
    return { outputs: [{ kind: 'MODEL', ckpt, loras: [] } satisfies ModelValue, { kind: 'CLIP', ckpt, loras: [] } satisfies ClipValue, { kind: 'VAE', name: ckpt } satisfies VaeValue] };
  },
  async VAELoader(inputs) {
    return { outputs: [{ kind: 'VAE', name: String(inputs.vae_name) } satisfies VaeValue] };
  },
  async LoraLoader(inputs) {
    const model = expect<ModelValue>(inputs.model, 'MODEL');
    const clip = expect<ClipValue>(inputs.clip, 'CLIP');
    const lora = String(inputs.lora_name);
    return { outputs: [{ ...model, loras: [...model.loras, lora] }, { ...clip, loras: [...clip.loras, lora] }] };
  },
  async CLIPSetLastLayer(inputs) {
    return { outputs: [expect<ClipValue>(inputs.clip, 'CLIP')] };
  },
  async CLIPTextEncode(inputs) {
    expect<ClipValue>(inputs.clip, 'CLIP');
    return { outputs: [{ kind: 'CONDITIONING', text: pyStr(inputs.text) } satisfies ConditioningValue] };
  },
  async EmptyLatentImage(inputs, ctx) {
    const latent: LatentValue = { kind: 'LATENT', width: int(inputs.width), height: int(inputs.height), batch: int(inputs.batch_size), contentSeed: hash32(ctx.signature) };
    return { outputs: [latent] };
  },
  async EmptyImage(inputs, ctx) {
    const image: ImageValue = { kind: 'IMAGE', width: int(inputs.width), height: int(inputs.height), batch: int(inputs.batch_size), contentSeed: hash32(ctx.signature) };
    return { outputs: [image] };
  },
  async KSampler(inputs, ctx) {
    return sample(inputs, ctx, int(inputs.steps), 0, int(inputs.steps));
  },
  async KSamplerAdvanced(inputs, ctx) {
    const steps = int(inputs.steps);
    const start = int(inputs.start_at_step);
    const end = Math.min(int(inputs.end_at_step), steps);
    return sample(inputs, ctx, steps, start, end);
  },
  async VAEDecode(inputs) {
    const latent = expect<LatentValue>(inputs.samples, 'LATENT');
    expect<VaeValue>(inputs.vae, 'VAE');
    return { outputs: [{ ...latent, kind: 'IMAGE' } satisfies ImageValue] };
  },
  async VAEEncode(inputs) {
    const image = expect<ImageValue>(inputs.pixels, 'IMAGE');
    expect<VaeValue>(inputs.vae, 'VAE');
    return { outputs: [{ ...image, kind: 'LATENT' } satisfies LatentValue] };
  },
  async LoadImage(inputs, ctx) {
    const file = resolveInputImage(ctx.dirs, pyStr(inputs.image));
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      throw new NodeFailure('FileNotFoundError', `[Errno 2] No such file or directory: '${file}'`);
    }
    const meta = await sharp(bytes).metadata();
    const width = meta.width ?? 1;
    const height = meta.height ?? 1;
    const image: ImageValue = { kind: 'IMAGE', width, height, batch: 1, contentSeed: createHash('sha256').update(bytes).digest().readUInt32BE(0) };
    return { outputs: [image, { kind: 'MASK', width, height } satisfies MaskValue] };
  },
  async SaveImage(inputs, ctx) {
    return save(inputs, ctx, 'output', pyStr(inputs.filename_prefix ?? 'ComfyUI'));
  },
  async PreviewImage(inputs, ctx) {
    const letters = 'abcdefghijklmnopqrstupvxyz';
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += letters[Math.floor(Math.random() * letters.length)];
    return save(inputs, ctx, 'temp', `ComfyUI_temp_${suffix}`);
  },
};

/** The sampler loop: one progress event (plus preview) per step, interruptible at every step. */
async function sample(inputs: Inputs, ctx: NodeRunContext, total: number, start: number, end: number): Promise<NodeResult> {
  expect<ModelValue>(inputs.model, 'MODEL');
  expect<ConditioningValue>(inputs.positive, 'CONDITIONING');
  expect<ConditioningValue>(inputs.negative, 'CONDITIONING');
  const latent = expect<LatentValue>(inputs.latent_image, 'LATENT');
  const contentSeed = hash32(ctx.signature);
  for (let step = 1; step <= Math.max(0, end - start); step++) {
    // Render the preview while the step "runs" so it does not stretch step time.
    const preview = ctx.previews ? makePreviewJpeg(latent.width, latent.height, contentSeed, step).catch(() => null) : null;
    await ctx.wait(ctx.stepMs);
    ctx.progress(step, total, preview ? await preview : null);
  }
  const out: LatentValue = { ...latent, contentSeed };
  return { outputs: [out] };
}

async function save(inputs: Inputs, ctx: NodeRunContext, type: 'output' | 'temp', prefix: string): Promise<NodeResult> {
  const images = expect<ImageValue>(inputs.images, 'IMAGE');
  const text: Record<string, string> = { prompt: pyDumps(ctx.prompt) };
  const extra = ctx.extraData.extra_pnginfo;
  if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) {
    for (const [key, value] of Object.entries(extra)) text[key] = pyDumps(value);
  }
  const dir = type === 'output' ? ctx.dirs.output : ctx.dirs.temp;
  try {
    const saved = await saveImageBatch({ dir, type, prefix, images, text, maxSide: ctx.maxImageSide });
    return { outputs: [], ui: { images: saved }, files: saved.map((s) => (s.subfolder ? `${s.subfolder}/${s.filename}` : s.filename)) };
  } catch (err) {
    if (err instanceof SavePathError) throw new NodeFailure('Exception', err.message);
    throw err;
  }
}

/** folder_paths.get_annotated_filepath(name, default_dir=input) */
export function resolveInputImage(dirs: ImageDirs, name: string): string {
  if (name.endsWith('[output]')) return path.join(dirs.output, name.slice(0, -9));
  if (name.endsWith('[input]')) return path.join(dirs.input, name.slice(0, -8));
  if (name.endsWith('[temp]')) return path.join(dirs.temp, name.slice(0, -7));
  return path.join(dirs.input, name);
}

function expect<T>(value: unknown, kind: string): T {
  if (value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === kind) return value as T;
  throw new NodeFailure('AttributeError', `'${pyTypeOf(value)}' object has no attribute '${kind === 'CLIP' ? 'tokenize' : 'shape'}'`);
}

function pyTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number' || typeof value === 'bigint') return Number.isInteger(Number(value)) ? 'int' : 'float';
  return 'dict';
}

function int(value: unknown): number {
  return Math.trunc(asNumber(value) ?? 0);
}
