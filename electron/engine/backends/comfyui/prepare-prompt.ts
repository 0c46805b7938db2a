import type { GenerationParams } from '../../../../shared/jobs.ts';
import { closestCheckpoints, resolveCheckpoint } from '../checkpoint-resolver.ts';
import { BackendError, type RunnableJob } from '../types.ts';
import { attachInitImage, type ImageUploader } from './init-image.ts';
import { randomizeSeeds, randomSeed, wantsRandomSeed } from './seeds.ts';
import { buildTxt2ImgGraph, type ResolvedModels } from './txt2img-graph.ts';
import { parseApiWorkflow, type ComfyGraph } from './workflow.ts';

/** What POST /prompt gets for a job. */
export interface PreparedPrompt {
  graph: ComfyGraph;
  extraData: Record<string, unknown>;
  kind: 'workflow' | 'txt2img';
}

/** The server's choices for a model input (ckpt_name, lora_name, vae_name); `fresh` skips the cache. */
export type ChoiceLister = (kind: 'checkpoints' | 'loras' | 'vaes', fresh: boolean) => Promise<string[]>;

const NO_VAE = new Set(['', 'automatic', 'none', 'baked vae']);

async function resolveName(kind: 'checkpoints' | 'loras' | 'vaes', name: string, list: ChoiceLister, alias: string): Promise<string> {
  const entries = (fresh: boolean) => list(kind, fresh).then((names) => names.map((title) => ({ title })));
  const found = resolveCheckpoint(name, await entries(false)) ?? resolveCheckpoint(name, await entries(true));
  if (found) return found.title;
  const suggestions = closestCheckpoints(name, await entries(false));
  const what = { checkpoints: 'Checkpoint', loras: 'LoRA', vaes: 'VAE' }[kind];
  throw new BackendError('permanent', `${what} "${name}" is not on ComfyUI server ${alias}.${suggestions.length ? ` Closest: ${suggestions.join(', ')}.` : ''}`, {
    details: { [kind]: name, suggestions },
  });
}

async function resolveModels(params: GenerationParams, list: ChoiceLister, alias: string): Promise<ResolvedModels> {
  let checkpoint: string;
  if (params.checkpoint_name?.trim()) {
    checkpoint = await resolveName('checkpoints', params.checkpoint_name, list, alias);
  } else {
    // No checkpoint named: ComfyUI has no "current model", so take the server's first one.
    const first = (await list('checkpoints', false))[0];
    if (!first) throw new BackendError('permanent', `ComfyUI server ${alias} has no checkpoints.`);
    checkpoint = first;
  }
  const loras = [];
  for (const lora of params.loras ?? []) {
    loras.push({ name: await resolveName('loras', lora.name, list, alias), weight: lora.weight ?? 1 });
  }
  const vae = params.vae && !NO_VAE.has(params.vae.trim().toLowerCase()) ? await resolveName('vaes', params.vae, list, alias) : null;
  return { checkpoint, loras, vae };
}

/**
 * Turns a job into the graph to queue: its own API-format workflow (seeds re-rolled when
 * `randomize_seed` is set), or the built-in txt2img graph from the generic fields, with
 * model names matched to the server's lists. `workflow_ui` goes into
 * extra_pnginfo.workflow so SaveImage writes it into the PNG.
 */
export async function preparePrompt(job: RunnableJob, list: ChoiceLister, alias: string, upload?: ImageUploader): Promise<PreparedPrompt> {
  const params = job.params;
  const extraData: Record<string, unknown> = {};
  if (params.workflow_ui && typeof params.workflow_ui === 'object') extraData.extra_pnginfo = { workflow: params.workflow_ui };
  if (params.workflow !== undefined && params.workflow !== null) {
    const graph = parseApiWorkflow(params.workflow);
    if (params.randomize_seed) randomizeSeeds(graph);
    if (upload) await attachInitImage(graph, params, upload, job.id);
    return { graph, extraData, kind: 'workflow' };
  }
  if (job.mode === 'img2img' || (Array.isArray(params.init_images) && params.init_images.length > 0)) {
    throw new BackendError('permanent', 'The built-in ComfyUI graph does txt2img only; send img2img to ComfyUI as an API-format workflow.');
  }
  const models = await resolveModels(params, list, alias);
  const seed = params.randomize_seed || wantsRandomSeed(params.seed) ? randomSeed() : Number(params.seed);
  return { graph: buildTxt2ImgGraph(params, models, seed).graph, extraData, kind: 'txt2img' };
}
