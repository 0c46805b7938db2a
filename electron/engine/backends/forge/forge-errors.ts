/**
 * What a Forge / A1111 error answer means for the job. Both answer an uncaught exception
 * with 500 `{error: <Python class>, detail, body, message|errors}`, so the class says
 * whether trying again can help:
 * - a programming error (TypeError, KeyError …) comes back identical on every attempt,
 *   often after a whole first pass: permanent, with the server's own message;
 * - running out of GPU memory is its own kind: the same job on the same card fails the
 *   same way, so it is never retried blindly;
 * - anything else (and a 500 without a class) may pass: transient.
 * Other statuses keep the shared rules (errorForStatus).
 */
import { describeErrorBody, errorForStatus } from '../http-client.ts';
import { BackendError } from '../types.ts';

const PROGRAMMING_ERRORS = new Set(['TypeError', 'KeyError', 'AttributeError', 'ValueError', 'IndexError', 'NameError', 'AssertionError', 'NotImplementedError']);
const OUT_OF_MEMORY = /out of memory|OutOfMemoryError|CUDA error: out of memory|allocation on device/i;

function errorClass(body: unknown): string | null {
  let parsed = body;
  if (typeof body === 'string') {
    try { parsed = JSON.parse(body); } catch { return null; }
  }
  const name = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).error : null;
  return typeof name === 'string' && name ? name : null;
}

export function forgeErrorForStatus(status: number, body: unknown, what: string): BackendError {
  if (status !== 500) return errorForStatus(status, body, what);
  const name = errorClass(body);
  const text = describeErrorBody(body);
  if (name && (OUT_OF_MEMORY.test(name) || OUT_OF_MEMORY.test(text))) {
    return new BackendError('out_of_memory', `${what}: the server ran out of GPU memory (${text}). Try a smaller size or batch, or a server with a bigger GPU.`, { status, details: body });
  }
  if (name && PROGRAMMING_ERRORS.has(name)) {
    return new BackendError('permanent', `${what}: the server failed with ${text}; the same job would fail the same way again`, { status, details: body });
  }
  return errorForStatus(status, body, what);
}
