/**
 * A facade job in ComfyUI's shapes: its queue item `[number, prompt_id, prompt,
 * extra_data, outputs_to_execute]` and its /history entry. The prompt_id a client holds
 * is the job's id (or the id the client chose, kept with the job), so both survive a
 * restart and do not depend on which server ran it.
 * Output files are named by the gallery's file name, which /view looks up.
 */
import type { ImageRow } from '../../gallery/gallery-store.ts';
import type { JobRow } from '../../queue/job-row.ts';
import { compatOf, promptIdOf } from '../compat-jobs.ts';

export type QueueItem = [number, string, Record<string, unknown>, Record<string, unknown>, string[]];

export interface OutputFile {
  filename: string;
  subfolder: string;
  type: 'output';
}

function graphOf(row: JobRow): Record<string, unknown> {
  const params = JSON.parse(row.generation_params_json) as { workflow?: Record<string, unknown> };
  return params.workflow ?? {};
}

export function queueItem(row: JobRow): QueueItem {
  const compat = compatOf(row);
  const extraData = { ...compat?.extra_data, ...(compat?.client_id ? { client_id: compat.client_id } : {}) };
  return [compat?.number ?? 0, promptIdOf(row), graphOf(row), extraData, compat?.outputs ?? []];
}

/** Which output node made each kept image, in image order. */
export function outputsByNode(row: JobRow, images: ImageRow[]): Map<string, OutputFile[]> {
  const details = (row.result_details_json ? JSON.parse(row.result_details_json) : {}) as { outputs?: { node?: string }[] };
  const fallbackNode = compatOf(row)?.outputs?.[0] ?? '0';
  const byNode = new Map<string, OutputFile[]>();
  for (const image of images) {
    const node = details.outputs?.[image.idx]?.node ?? fallbackNode;
    const list = byNode.get(node) ?? [];
    list.push({ filename: image.file_name, subfolder: '', type: 'output' });
    byNode.set(node, list);
  }
  return byNode;
}

const ms = (iso: string | null): number => (iso ? Date.parse(iso) : 0);

/** The /history entry of a finished job; null while it waits or runs (ComfyUI answers `{}` then). */
export function historyEntry(row: JobRow, images: ImageRow[]): Record<string, unknown> | null {
  if (!['completed', 'failed', 'cancelled'].includes(row.status)) return null;
  const id = promptIdOf(row);
  const start = ms(row.started_timestamp ?? row.completion_timestamp);
  const end = ms(row.completion_timestamp);
  const messages: [string, Record<string, unknown>][] = [['execution_start', { prompt_id: id, timestamp: start }]];
  const outputs: Record<string, { images: OutputFile[] }> = {};
  const meta: Record<string, unknown> = {};
  if (row.status === 'completed') {
    for (const [node, files] of outputsByNode(row, images)) {
      outputs[node] = { images: files };
      meta[node] = { node_id: node, display_node: node, parent_node: null, real_node_id: node };
    }
    messages.push(['execution_success', { prompt_id: id, timestamp: end }]);
  } else if (row.status === 'cancelled') {
    messages.push(['execution_interrupted', { prompt_id: id, node_id: null, node_type: null, executed: [], timestamp: end }]);
  } else {
    messages.push(['execution_error', executionErrorData(row, end)]);
  }
  return {
    prompt: queueItem(row),
    outputs,
    status: { status_str: row.status === 'completed' ? 'success' : 'error', completed: row.status === 'completed', messages },
    meta,
  };
}

/** execution_error's data for a failed job (the node when the server named it). */
export function executionErrorData(row: JobRow, timestamp: number): Record<string, unknown> {
  const details = (row.result_details_json ? JSON.parse(row.result_details_json) : {}) as { error_details?: Record<string, unknown> };
  const server = details.error_details ?? {};
  return {
    prompt_id: promptIdOf(row),
    node_id: server.node_id ?? null,
    node_type: server.node_type ?? null,
    executed: server.executed ?? [],
    exception_message: row.error_message ?? 'The job failed.',
    exception_type: server.exception_type ?? 'StableQueueJobFailed',
    traceback: server.traceback ?? [],
    current_inputs: server.current_inputs ?? {},
    current_outputs: server.current_outputs ?? {},
    timestamp,
  };
}
