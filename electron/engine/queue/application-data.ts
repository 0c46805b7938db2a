import type { GenerationParams } from '../../../shared/jobs.ts';
import { AUTO_SERVER, type AppType } from '../../../shared/servers.ts';
import { resolveCheckpoint, type CheckpointEntry } from '../backends/checkpoint-resolver.ts';
import { sinkNodes } from '../backends/comfyui/graph/follow-links.ts';
import { buildTxt2ImgGraph } from '../backends/comfyui/txt2img-graph.ts';
import { parseApiWorkflow, type ComfyGraph } from '../backends/comfyui/workflow.ts';
import type { JobRow } from './job-row.ts';

/**
 * The part of a job's status that differs by application (the v2 status's
 * `application_specific_data`): what a client of that application wants to know about
 * how StableQueue runs its job there.
 *   forge:   the checkpoint asked for and the server's exact title it resolves to (the
 *            attempt's, once one ran; before that, as the named server's model list
 *            resolves it now), the extensions sent in `alwayson_scripts`, a selected
 *            script, the server's task id.
 *   comfyui: the server's prompt_id, how many nodes the graph has and which are its
 *            output ends (the nodes nothing links to), and whether the graph is the
 *            client's own workflow or the built-in txt2img one.
 * Pure: reads the stored row, the attempt's result details and the servers' model lists.
 */

type Details = Record<string, unknown> | null;

export interface ServerFacts {
  /** A server's checkpoint list as last fetched, or null when unknown. */
  checkpointsOf(alias: string): CheckpointEntry[] | null;
}

type Reader = (row: JobRow, params: GenerationParams, details: Details, servers: ServerFacts) => Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The title the job's checkpoint resolves to on the server it names (or was given). */
function expectedTitle(row: JobRow, name: string | null, servers: ServerFacts): string | null {
  const alias = row.assigned_server_alias ?? (row.target_server_alias === AUTO_SERVER ? null : row.target_server_alias);
  const list = alias && name ? servers.checkpointsOf(alias) : null;
  return list && name ? resolveCheckpoint(name, list)?.title ?? null : null;
}

function forgeData(row: JobRow, params: GenerationParams, details: Details, servers: ServerFacts): Record<string, unknown> {
  const checkpointName = text(params.checkpoint_name);
  return {
    mode: row.mode,
    checkpoint_name: checkpointName,
    checkpoint_title: text(details?.checkpoint_title) ?? expectedTitle(row, checkpointName, servers),
    sd_model_hash: text(details?.sd_model_hash),
    alwayson_scripts: isObject(params.alwayson_scripts) ? Object.keys(params.alwayson_scripts) : [],
    script_name: text(params.script_name),
    task_id: row.backend_task_id,
  };
}

/** The graph the job sends: its own workflow, or the built-in txt2img graph of its fields. */
function graphOf(params: GenerationParams): { graph: ComfyGraph; outputs: string[]; source: 'workflow' | 'built_in_txt2img' } | null {
  if (params.workflow !== undefined && params.workflow !== null) {
    try {
      const graph = parseApiWorkflow(params.workflow);
      return { graph, outputs: sinkNodes(graph), source: 'workflow' };
    } catch {
      return null; // not an API graph: the job cannot run, and there is nothing to count
    }
  }
  try {
    const built = buildTxt2ImgGraph(params, {
      checkpoint: text(params.checkpoint_name) ?? '',
      loras: (params.loras ?? []).map((lora) => ({ name: lora.name, weight: lora.weight ?? 1 })),
      vae: text(params.vae),
    }, 0);
    return { graph: built.graph, outputs: [built.outputNode], source: 'built_in_txt2img' };
  } catch {
    return null; // fields the built-in graph cannot take: the submit or the run says why
  }
}

function comfyData(row: JobRow, params: GenerationParams, details: Details): Record<string, unknown> {
  const read = graphOf(params);
  return {
    prompt_id: row.backend_task_id ?? text(details?.prompt_id),
    workflow_source: read?.source ?? null,
    node_count: read ? Object.keys(read.graph).length : null,
    output_node_ids: read?.outputs ?? [],
  };
}

const READERS: Record<AppType, Reader> = { forge: forgeData, comfyui: comfyData };

export function applicationSpecificData(row: JobRow, details: Details, servers: ServerFacts): Record<string, unknown> {
  const params = JSON.parse(row.generation_params_json) as GenerationParams;
  return READERS[row.app_type](row, params, details, servers);
}
