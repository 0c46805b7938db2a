/**
 * Worker thread: hashes files with sync reads in big blocks, so the API's event loop never
 * waits on hashing. Self-contained (node: imports only) so it loads from .ts and from .js.
 *
 * Messages in:
 *   { type: 'hash', id, path, mode: 'sha256' | 'autov3' }
 *   { type: 'follow', id, path }          hash a file that is still being written
 *   { type: 'grow', id, size }            bytes known to be written so far
 *   { type: 'end', id, size }             the writer is done; the file has `size` bytes
 *   { type: 'abort', id }
 * Messages out: { id, type: 'progress', bytes } | { id, type: 'done', hex, bytes } | { id, type: 'error', message }
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';

const BLOCK = 4 * 1024 * 1024;
const PROGRESS_MS = 200;

type Incoming =
  | { type: 'hash'; id: number; path: string; mode: 'sha256' | 'autov3' }
  | { type: 'follow'; id: number; path: string }
  | { type: 'grow'; id: number; size: number }
  | { type: 'end'; id: number; size: number }
  | { type: 'abort'; id: number };

const port = parentPort!;
const buffer = Buffer.allocUnsafe(BLOCK);
const aborted = new Set<number>();
const followers = new Map<number, { known: number; end: number | null; wake: (() => void) | null }>();

function post(message: Record<string, unknown>): void {
  port.postMessage(message);
}

/** Yields to the worker's event loop so grow/abort messages get through. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function hashRange(id: number, file: string, start: number): Promise<void> {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    let position = start;
    let lastProgress = Date.now();
    for (;;) {
      if (aborted.has(id)) throw new Error('aborted');
      const n = fs.readSync(fd, buffer, 0, BLOCK, position);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      position += n;
      const now = Date.now();
      if (now - lastProgress >= PROGRESS_MS) {
        lastProgress = now;
        post({ id, type: 'progress', bytes: position });
        await tick();
      }
    }
    post({ id, type: 'done', hex: hash.digest('hex'), bytes: position });
  } finally {
    fs.closeSync(fd);
  }
}

async function hashFile(id: number, file: string, mode: 'sha256' | 'autov3'): Promise<void> {
  if (mode === 'sha256') return hashRange(id, file, 0);
  // AutoV3 (addnet): sha256 of everything after the 8-byte length and the JSON header.
  const fd = fs.openSync(file, 'r');
  let start: number;
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(8);
    if (fs.readSync(fd, head, 0, 8, 0) < 8) throw new Error('file is shorter than a safetensors header');
    const n = head.readBigUInt64LE(0);
    if (n > BigInt(size - 8)) throw new Error('invalid safetensors header length');
    start = 8 + Number(n);
  } finally {
    fs.closeSync(fd);
  }
  return hashRange(id, file, start);
}

/** Hashes a file while another thread appends to it, up to the sizes it announces. */
async function follow(id: number, file: string): Promise<void> {
  const state = followers.get(id)!;
  const hash = createHash('sha256');
  let fd: number | null = null;
  let position = 0;
  let lastProgress = Date.now();
  try {
    for (;;) {
      if (aborted.has(id)) throw new Error('aborted');
      const limit = state.end ?? state.known;
      if (position >= limit) {
        if (state.end !== null) break;
        await new Promise<void>((resolve) => { state.wake = resolve; });
        state.wake = null;
        continue;
      }
      fd ??= fs.openSync(file, 'r');
      const n = fs.readSync(fd, buffer, 0, Math.min(BLOCK, limit - position), position);
      if (n === 0) throw new Error(`file ended at ${position} bytes, expected ${limit}`);
      hash.update(buffer.subarray(0, n));
      position += n;
      const now = Date.now();
      if (now - lastProgress >= PROGRESS_MS) {
        lastProgress = now;
        post({ id, type: 'progress', bytes: position });
        await tick();
      }
    }
    post({ id, type: 'done', hex: hash.digest('hex'), bytes: position });
  } finally {
    if (fd !== null) fs.closeSync(fd);
    followers.delete(id);
  }
}

port.on('message', (message: Incoming) => {
  switch (message.type) {
    case 'hash':
      hashFile(message.id, message.path, message.mode)
        .catch((error: Error) => post({ id: message.id, type: 'error', message: error.message }))
        .finally(() => aborted.delete(message.id));
      break;
    case 'follow':
      followers.set(message.id, { known: 0, end: null, wake: null });
      follow(message.id, message.path)
        .catch((error: Error) => post({ id: message.id, type: 'error', message: error.message }))
        .finally(() => aborted.delete(message.id));
      break;
    case 'grow':
    case 'end': {
      const state = followers.get(message.id);
      if (!state) break;
      if (message.type === 'grow') state.known = Math.max(state.known, message.size);
      else state.end = message.size;
      state.wake?.();
      break;
    }
    case 'abort': {
      aborted.add(message.id);
      followers.get(message.id)?.wake?.();
      break;
    }
  }
});
