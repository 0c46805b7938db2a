import type { HistoryEntry, OutputFile } from './comfy-http.ts';
import type { ExecutionErrorData } from './node-errors.ts';
import type { ComfyGraph } from './workflow.ts';

export interface NodeOutputFile {
  node: string;
  file: OutputFile;
}

function isOutputFile(value: unknown): value is OutputFile {
  const file = value as OutputFile | null;
  return !!file && typeof file === 'object' && typeof file.filename === 'string';
}

/**
 * The image files a finished prompt produced, in node order: the saved ones (type
 * "output", SaveImage); only when there are none, the previews (type "temp"), so a
 * preview-only workflow still yields its images.
 */
export function outputImages(entry: HistoryEntry): NodeOutputFile[] {
  const all: NodeOutputFile[] = [];
  for (const [node, output] of Object.entries(entry.outputs ?? {})) {
    const images = output?.images;
    if (!Array.isArray(images)) continue;
    for (const file of images) if (isOutputFile(file)) all.push({ node, file: { filename: file.filename, subfolder: file.subfolder ?? '', type: file.type ?? 'output' } });
  }
  const saved = all.filter((f) => f.file.type === 'output');
  return saved.length ? saved : all;
}

/** The graph as the server ran it (history keeps it), so seeds come from what really ran. */
export function graphOf(entry: HistoryEntry): ComfyGraph | null {
  const graph = entry.prompt?.[2];
  return graph && typeof graph === 'object' && !Array.isArray(graph) ? graph as ComfyGraph : null;
}

export type HistoryOutcome =
  | { kind: 'success' }
  | { kind: 'interrupted' }
  | { kind: 'error'; error: ExecutionErrorData };

/** How the run ended, from the entry's status and its last messages. */
export function historyOutcome(entry: HistoryEntry): HistoryOutcome {
  const messages = entry.status?.messages ?? [];
  const error = messages.find(([type]) => type === 'execution_error');
  if (error) return { kind: 'error', error: error[1] as ExecutionErrorData };
  if (messages.some(([type]) => type === 'execution_interrupted')) return { kind: 'interrupted' };
  if (entry.status && entry.status.status_str === 'error') return { kind: 'error', error: { exception_message: 'ComfyUI reports the prompt failed' } };
  return { kind: 'success' };
}

/**
 * True when every output node of the run came from ComfyUI's cache (an identical graph
 * ran before): nothing executed and the files are the earlier run's.
 */
export function allOutputsCached(entry: HistoryEntry): boolean {
  const outputs = Object.keys(entry.outputs ?? {});
  if (outputs.length === 0) return false;
  const cached = new Set<string>();
  for (const [type, data] of entry.status?.messages ?? []) {
    if (type === 'execution_cached' && Array.isArray(data.nodes)) for (const id of data.nodes) cached.add(String(id));
  }
  return outputs.every((id) => cached.has(id));
}
