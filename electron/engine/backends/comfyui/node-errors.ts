import { BackendError } from '../types.ts';
import { nodeLabel, type ComfyGraph } from './workflow.ts';

/** One entry of a node's `errors` in ComfyUI's POST /prompt 400 answer. */
interface InputError {
  type?: string;
  message?: string;
  details?: string;
  extra_info?: { input_name?: string };
}

interface NodeErrors {
  errors?: InputError[];
  class_type?: string;
}

interface Rejection {
  error?: { type?: string; message?: string; details?: string } | string;
  node_errors?: Record<string, NodeErrors>;
}

const MAX_DETAILS = 240;

function shorten(text: string): string {
  return text.length > MAX_DETAILS ? `${text.slice(0, MAX_DETAILS - 1)}…` : text;
}

/** "input 'ckpt_name' — Value not in list: 'x.safetensors' not in [...]" */
function describeInputError(error: InputError): string {
  const input = error.extra_info?.input_name;
  let details = (error.details ?? '').trim();
  // ComfyUI repeats the input name at the start of details ("ckpt_name: 'x' not in …").
  if (input && (details === input || details.startsWith(`${input}: `) || details.startsWith(`${input}, `))) {
    details = details.slice(input.length + 2).trim();
  }
  const what = [error.message?.trim(), details && shorten(details)].filter(Boolean).join(': ');
  return input ? `input '${input}' — ${what}` : what;
}

/**
 * A readable sentence for ComfyUI's validation failure, naming each node and input:
 * "Node 3 (KSampler): input 'ckpt_name' — Value not in list: 'x' not in [...]".
 */
export function describeRejection(body: unknown, graph: ComfyGraph | null = null): string {
  const rejection = (body && typeof body === 'object' ? body : {}) as Rejection;
  const lines: string[] = [];
  for (const [id, node] of Object.entries(rejection.node_errors ?? {})) {
    const label = nodeLabel(id, node.class_type, graph);
    const errors = node.errors?.length ? node.errors : [{ message: 'failed validation' }];
    for (const error of errors) lines.push(`${label}: ${describeInputError(error)}`);
  }
  if (lines.length) return lines.join('; ');
  const error = rejection.error;
  if (typeof error === 'string') return error;
  if (error?.message) {
    const details = error.details?.trim();
    return details && details !== error.message ? `${error.message} (${shorten(details)})` : error.message;
  }
  return typeof body === 'string' && body ? shorten(body) : 'ComfyUI rejected the workflow';
}

/** A 400 from POST /prompt: the graph itself is wrong, so the job fails at once (never retried). */
export function rejectionError(status: number, body: unknown, graph: ComfyGraph | null): BackendError {
  return new BackendError('permanent', `ComfyUI rejected the workflow: ${describeRejection(body, graph)}`, { status, details: body });
}

/** execution_error from a node at run time, as found in the WS event or the history messages. */
export interface ExecutionErrorData {
  node_id?: string;
  node_type?: string;
  exception_type?: string;
  exception_message?: string;
}

/**
 * A node raised while running. Out of GPU memory is its own kind (the same job on the same
 * card fails the same way; the queue tries a bigger card or fails with a hint); other
 * exceptions come from the graph or its inputs and would fail again.
 */
export function executionError(data: ExecutionErrorData, graph: ComfyGraph | null): BackendError {
  const where = data.node_id ? nodeLabel(String(data.node_id), data.node_type, graph) : 'A node';
  const type = data.exception_type ?? 'Exception';
  const message = `ComfyUI failed: ${where} raised ${type}: ${(data.exception_message ?? '').trim() || 'no message'}`;
  if (/OutOfMemory|out of memory/i.test(`${type} ${data.exception_message ?? ''}`)) {
    return new BackendError('out_of_memory', `${message.replace(/\.+$/, '')}. The server ran out of GPU memory; try a smaller size or batch, or a server with a bigger GPU.`, { details: data });
  }
  return new BackendError('permanent', message, { details: data });
}
