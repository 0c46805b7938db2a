import fs from 'node:fs/promises';

/** The largest header read (SDXL/Flux checkpoints have headers of a few hundred KB). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface TensorInfo {
  dtype: string;
  shape: number[];
  offsets: [number, number];
}

export interface SafetensorsHeader {
  headerLength: number;
  /** `__metadata__`: string → string (modelspec.*, ss_* of kohya, …). */
  metadata: Record<string, string>;
  tensors: Map<string, TensorInfo>;
}

/**
 * Parses the 8-byte little-endian length and the JSON header. Throws when the bytes are
 * not a safetensors header (an HTML or JSON error page saved as a model fails here).
 */
export function parseSafetensorsHeader(prefix: Buffer, fileSize: number): SafetensorsHeader {
  if (prefix.length < 8) throw new Error('file is shorter than a safetensors header');
  const n = prefix.readBigUInt64LE(0);
  if (n < 2n || n > BigInt(Math.min(MAX_HEADER_BYTES, fileSize - 8))) throw new Error(`invalid safetensors header length ${n}`);
  const headerLength = Number(n);
  if (prefix.length < 8 + headerLength) throw new Error('safetensors header is truncated');
  if (prefix[8] !== 0x7b) throw new Error('safetensors header does not start with "{"');
  const json = JSON.parse(prefix.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('safetensors header is not a JSON object');
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  const dataSize = fileSize - 8 - headerLength;
  for (const [key, value] of Object.entries(json)) {
    if (key === '__metadata__') {
      for (const [mk, mv] of Object.entries((value ?? {}) as Record<string, unknown>)) if (typeof mv === 'string') metadata[mk] = mv;
      continue;
    }
    const t = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!t || typeof t.dtype !== 'string' || !Array.isArray(t.shape) || !Array.isArray(t.data_offsets)) {
      throw new Error(`tensor "${key}" has no dtype/shape/data_offsets`);
    }
    const [start, end] = t.data_offsets as number[];
    if (!(start >= 0 && end >= start && end <= dataSize)) throw new Error(`tensor "${key}" lies outside the file`);
    tensors.set(key, { dtype: t.dtype, shape: t.shape as number[], offsets: [start, end] });
  }
  return { headerLength, metadata, tensors };
}

/** Reads and parses a safetensors file's header; null when it is not one. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader | null> {
  let handle: fs.FileHandle | null = null;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    const lenBuf = Buffer.alloc(8);
    const { bytesRead } = await handle.read(lenBuf, 0, 8, 0);
    if (bytesRead < 8) return null;
    const n = lenBuf.readBigUInt64LE(0);
    if (n < 2n || n > BigInt(Math.min(MAX_HEADER_BYTES, size - 8))) return null;
    const buf = Buffer.alloc(8 + Number(n));
    lenBuf.copy(buf);
    await handle.read(buf, 8, Number(n), 8);
    return parseSafetensorsHeader(buf, size);
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
